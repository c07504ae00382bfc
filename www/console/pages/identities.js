// Identities: search (q), paging, create, suspend and reactivate.

import { api } from "../api.js";
import { h, field, table, time, badge, put } from "../dom.js";
import { href, go } from "../router.js";
import { realmPath } from "../session.js";
import { say, fail, heading, pager, busy, values, actionButton } from "../ui.js";

const PAGE_SIZE = 20;

export async function render({ view, query, path, rerender }) {
  const q = query.get("q") ?? "";
  view.append(...heading("Identities", "The people passkeys are bound to. Pick one to add a passkey."));

  const search = h("input", { type: "search", name: "q", value: q, autocomplete: "off", spellcheck: "false" });
  view.append(
    h(
      "form",
      {
        class: "toolbar",
        role: "search",
        onsubmit: (ev) => {
          ev.preventDefault();
          go(path, { q: search.value.trim() });
        },
      },
      field("Search identities", search, "Part of a username, email address or display name."),
      h("button", { type: "submit", class: "secondary" }, "Search"),
      q ? h("a", { href: href(path), class: "button-link" }, "Clear") : null,
    ),
  );

  const list = h("section", { "aria-label": "Identity list" }, h("p", { class: "muted" }, "Loading…"));
  view.append(list, createForm());

  let answer;
  try {
    answer = await api("GET", `${realmPath()}/identities`, undefined, {
      query: { q, page_size: PAGE_SIZE, page_token: query.get("page_token") },
    });
  } catch (e) {
    put(list, fail(e, "Loading identities"));
    return;
  }
  const rows = answer.identities;
  put(list, 
    table(
      q ? `Identities matching “${q}”` : "Identities",
      [
        { label: "Display name", cell: (i) => h("a", { href: href(`/identities/${encodeURIComponent(i.id)}`) }, i.display_name) },
        { label: "Username", cell: (i) => i.traits.username },
        { label: "Email", cell: (i) => i.traits.primary_email_address ?? h("span", { class: "muted" }, "—") },
        { label: "Status", cell: (i) => badge(i.status) },
        { label: "Created", cell: (i) => time(i.create_time) },
        { label: "Actions", cell: (i) => statusButton(i, rerender) },
      ],
      rows,
      q ? `No identity matches “${q}”.` : "No identities yet: create the first one below.",
    ),
    pager(path, query, answer, rows.length),
  );
}

/** Suspend or reactivate (PATCH status). */
export function statusButton(identity, done) {
  const suspend = identity.status === "active";
  const label = suspend ? "Suspend" : "Reactivate";
  return actionButton({
    text: label,
    label: `${label} ${identity.display_name}`,
    danger: suspend,
    action: () => api("PATCH", `${realmPath()}/identities/${encodeURIComponent(identity.id)}`, { identity: { status: suspend ? "suspended" : "active" } }),
    ok: `${identity.display_name} is ${suspend ? "suspended" : "active again"}.`,
    what: `${label} ${identity.display_name}`,
    done,
  });
}

function createForm() {
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "create-identity-h" },
    h("h2", { id: "create-identity-h" }, "Create an identity"),
    h(
      "div",
      { class: "grid" },
      field("Display name", h("input", { name: "display_name", required: true, maxlength: 256, autocomplete: "off" })),
      field(
        "Username",
        h("input", { name: "username", required: true, maxlength: 256, autocomplete: "off", spellcheck: "false" }),
        "Unique in the realm; cannot change later.",
      ),
      field(
        "Email address",
        h("input", { name: "email", type: "email", autocomplete: "off", spellcheck: "false" }),
        "Needed for enrollment emails.",
      ),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create identity")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = values(form);
    busy(form.querySelector("button[type=submit]"), async () => {
      try {
        const identity = await api("POST", `${realmPath()}/identities`, {
          identity: {
            display_name: v.display_name ?? "",
            traits: { type: "traits_v0", username: v.username ?? "", primary_email_address: v.email },
          },
        });
        say(`Identity ${identity.display_name} created.`, "ok");
        go(`/identities/${encodeURIComponent(identity.id)}`);
      } catch (e) {
        form.querySelector(".error")?.remove();
        form.append(fail(e, "Creating the identity"));
      }
    });
  });
  return form;
}
