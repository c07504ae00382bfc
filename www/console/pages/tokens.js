// API tokens: list (description, scope, created, last used), create (the
// secret is shown once), revoke. A realm-scoped session sees and makes only
// tokens of its realm (the server enforces it; the form follows).

import { api } from "../api.js";
import { h, field, table, time, code, select, put } from "../dom.js";
import { session, tenantPath, tenantWide } from "../session.js";
import { fail, heading, secretBox, actionButton, onCreate } from "../ui.js";

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
  return actionButton({
    text: "Revoke",
    label: `Revoke token ${t.description || t.id}`,
    confirm: current ? "This is the token of your own session: revoking it may sign you out. Revoke it?" : "Revoke this API token? Whatever uses it stops working.",
    action: () => api("DELETE", `${tenantPath()}/api-tokens/${encodeURIComponent(t.id)}`),
    ok: "API token revoked.",
    what: "Revoking the token",
    done,
  });
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
  return onCreate(form, created, {
    create: (v) => api("POST", `${tenantPath()}/api-tokens`, { description: v.description, realm_id: v.realm_id ?? null }),
    show: (t) => h("section", { class: "card ok-card", "aria-label": "New token" }, h("p", { class: "ok" }, `Token “${t.description}” created.`), secretBox("New API token", t.token)),
    ok: "API token created: copy it now, it is shown only once.",
    what: "Creating the token",
    done,
  });
}
