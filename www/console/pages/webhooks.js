// Webhooks of the tenant: list, create (the signing secret is shown once),
// delete; each links to its delivery log (webhook.js).

import { api } from "../api.js";
import { h, field, table, time, code, put } from "../dom.js";
import { href } from "../router.js";
import { tenantPath } from "../session.js";
import { heading, say, fail, busy, values, secretBox } from "../ui.js";

export async function render({ view }) {
  view.append(
    ...heading(
      "Webhooks",
      "Every change event of the tenant, POSTed as JSON to your URL and signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature). Retried with backoff until your endpoint answers 2xx.",
    ),
  );
  const list = h("section", { "aria-label": "Webhook list" }, h("p", { class: "muted" }, "Loading…"));
  const created = h("div", { class: "created" });
  view.append(createForm(created, load), created, list);

  async function load() {
    try {
      const { webhooks } = await api("GET", `${tenantPath()}/webhooks`);
      put(list, 
        table(
          "Webhooks",
          [
            { label: "URL", cell: (w) => h("a", { href: href(`/webhooks/${encodeURIComponent(w.id)}`) }, w.url) },
            { label: "Description", cell: (w) => w.description || h("span", { class: "muted" }, "—") },
            { label: "Created", cell: (w) => time(w.create_time) },
            { label: "ID", cell: (w) => code(w.id) },
            {
              label: "Actions",
              cell: (w) =>
                h("span", { class: "row-actions" }, h("a", { href: href(`/webhooks/${encodeURIComponent(w.id)}`), "aria-label": `Deliveries of ${w.url}` }, "Deliveries"), deleteButton(w, load)),
            },
          ],
          webhooks,
          "No webhooks yet.",
        ),
      );
    } catch (e) {
      put(list, fail(e, "Loading webhooks"));
    }
  }
  await load();
}

function deleteButton(w, done) {
  const button = h("button", { type: "button", class: "secondary danger", "aria-label": `Delete webhook ${w.url}` }, "Delete");
  button.addEventListener("click", () => {
    if (!window.confirm(`Delete the webhook to ${w.url}? Pending deliveries are dropped.`)) return;
    busy(button, async () => {
      try {
        await api("DELETE", `${tenantPath()}/webhooks/${encodeURIComponent(w.id)}`);
        say("Webhook deleted.", "ok");
        await done();
      } catch (e) {
        fail(e, "Deleting the webhook");
      }
    });
  });
  return button;
}

function createForm(created, done) {
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "create-webhook-h" },
    h("h2", { id: "create-webhook-h" }, "Add a webhook"),
    h(
      "div",
      { class: "grid" },
      field("Endpoint URL", h("input", { name: "url", type: "url", required: true, autocomplete: "off", spellcheck: "false", placeholder: "https://hooks.example.com/passbind" }), "https (http only on a loopback host)."),
      field("Description (optional)", h("input", { name: "description", maxlength: 200, autocomplete: "off" })),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Add webhook")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = values(form);
    created.replaceChildren();
    busy(form.querySelector("button[type=submit]"), async () => {
      try {
        const w = await api("POST", `${tenantPath()}/webhooks`, { url: v.url, description: v.description });
        created.append(
          h(
            "section",
            { class: "card ok-card", "aria-label": "New webhook" },
            h("p", { class: "ok" }, `Webhook to ${w.url} added.`),
            secretBox("Signing secret", w.secret, "Shown only this once: your endpoint verifies each signature with it (HMAC-SHA256 over id.timestamp.body, key = base64 after “whsec_”)."),
          ),
        );
        form.reset();
        say("Webhook added: copy its signing secret now, it is shown only once.", "ok");
        await done();
        created.querySelector("input")?.focus();
      } catch (e) {
        created.append(fail(e, "Adding the webhook"));
      }
    });
  });
  return form;
}
