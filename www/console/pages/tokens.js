// API tokens: list (description, scope, created, last used), create (the
// secret is shown once), revoke. A realm-scoped session sees and makes only
// tokens of its realm (the server enforces it; the form follows).

import { api } from "../api.js";
import { h, field, table, time, code, select, put } from "../dom.js";
import { session, tenantPath, tenantWide } from "../session.js";
import { heading, say, fail, busy, values, secretBox } from "../ui.js";

export async function render({ view }) {
  view.append(...heading("API tokens", "Admin API tokens of this tenant. A token is shown once, when it is created; only its hash is stored."));
  const list = h("section", { "aria-label": "Token list" }, h("p", { class: "muted" }, "Loading…"));
  const created = h("div", { class: "created" });
  view.append(createForm(created, load), created, list);

  async function load() {
    try {
      const { api_tokens: tokens } = await api("GET", `${tenantPath()}/api-tokens`);
      put(list, 
        table(
          "API tokens",
          [
            {
              label: "Description",
              cell: (t) => [
                t.description || h("span", { class: "muted" }, "(none)"),
                t.id === session.view.api_token_id ? h("span", { class: "badge info mine" }, "this session") : null,
              ],
            },
            { label: "Scope", cell: (t) => (t.realm_id ? ["realm ", realmName(t.realm_id)] : "tenant-wide") },
            { label: "Created", cell: (t) => time(t.create_time) },
            { label: "Last used", cell: (t) => (t.last_use_time ? time(t.last_use_time) : h("span", { class: "muted" }, "never")) },
            { label: "ID", cell: (t) => code(t.id) },
            { label: "Actions", cell: (t) => revokeButton(t, load) },
          ],
          tokens,
          "No API tokens.",
        ),
      );
    } catch (e) {
      put(list, fail(e, "Loading API tokens"));
    }
  }
  await load();
}

function realmName(id) {
  const r = session.realms.find((x) => x.id === id);
  return r ? `${r.display_name} ` : code(id);
}

function revokeButton(t, done) {
  const current = t.id === session.view.api_token_id;
  const button = h("button", { type: "button", class: "secondary danger", "aria-label": `Revoke token ${t.description || t.id}` }, "Revoke");
  button.addEventListener("click", () => {
    const warning = current ? "This is the token of your own session: revoking it may sign you out. Revoke it?" : "Revoke this API token? Whatever uses it stops working.";
    if (!window.confirm(warning)) return;
    busy(button, async () => {
      try {
        await api("DELETE", `${tenantPath()}/api-tokens/${encodeURIComponent(t.id)}`);
        say("API token revoked.", "ok");
        await done();
      } catch (e) {
        fail(e, "Revoking the token");
      }
    });
  });
  return button;
}

function createForm(created, done) {
  const scopes = tenantWide()
    ? [["", "Tenant-wide (every realm)"], ...session.realms.map((r) => [r.id, `Realm ${r.display_name}`])]
    : [[session.view.realm_id, "This realm only"]];
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "create-token-h" },
    h("h2", { id: "create-token-h" }, "Create an API token"),
    h(
      "div",
      { class: "grid" },
      field("Description", h("input", { name: "description", maxlength: 200, autocomplete: "off", required: true }), "What uses it, e.g. “CI” or “HR sync”."),
      field("Scope", select({ name: "realm_id" }, scopes, tenantWide() ? "" : session.view.realm_id)),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create token")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = values(form);
    created.replaceChildren();
    busy(form.querySelector("button[type=submit]"), async () => {
      try {
        const t = await api("POST", `${tenantPath()}/api-tokens`, { description: v.description, realm_id: v.realm_id ?? null });
        created.append(h("section", { class: "card ok-card", "aria-label": "New token" }, h("p", { class: "ok" }, `Token “${t.description}” created.`), secretBox("New API token", t.token)));
        form.reset();
        say("API token created: copy it now, it is shown only once.", "ok");
        await done();
        created.querySelector("input")?.focus();
      } catch (e) {
        created.append(fail(e, "Creating the token"));
      }
    });
  });
  return form;
}
