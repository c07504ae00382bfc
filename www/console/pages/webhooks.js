// Webhooks of the tenant: list, create (the signing secret is shown once),
// delete; each links to its delivery log (webhook.js).

import { api } from "../api.js";
import { h, field, table, time, code, put } from "../dom.js";
import { href } from "../router.js";
import { tenantPath } from "../session.js";
import { fail, heading, secretBox, actionButton, onCreate } from "../ui.js";

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
  return actionButton({
    text: "Delete",
    label: `Delete webhook ${w.url}`,
    confirm: `Delete the webhook to ${w.url}? Pending deliveries are dropped.`,
    action: () => api("DELETE", `${tenantPath()}/webhooks/${encodeURIComponent(w.id)}`),
    ok: "Webhook deleted.",
    what: "Deleting the webhook",
    done,
  });
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
  return onCreate(form, created, {
    create: (v) => api("POST", `${tenantPath()}/webhooks`, { url: v.url, description: v.description }),
    show: (w) =>
      h(
        "section",
        { class: "card ok-card", "aria-label": "New webhook" },
        h("p", { class: "ok" }, `Webhook to ${w.url} added.`),
        secretBox("Signing secret", w.secret, "Shown only this once: your endpoint verifies each signature with it (HMAC-SHA256 over id.timestamp.body, key = base64 after “whsec_”)."),
      ),
    ok: "Webhook added: copy its signing secret now, it is shown only once.",
    what: "Adding the webhook",
    done,
  });
}
