// Events: the realm's audit log of job and credential changes, newest first,
// with the API's filters (type, identity, job, credential) and paging.

import { api } from "../api.js";
import { h, field, table, time, badge, code, select, put } from "../dom.js";
import { href, go } from "../router.js";
import { realmPath } from "../session.js";
import { fail, heading, pager } from "../ui.js";

const FILTERS = ["type", "identity_id", "job_id", "credential_id"];

/** Table columns for events (shared with the identity page). */
export function eventColumns({ identityLink = true } = {}) {
  return [
    { label: "Time", cell: (e) => time(e.create_time) },
    { label: "Event", cell: (e) => e.type },
    {
      label: "Change",
      cell: (e) => h("span", { class: "change" }, e.state_before ? badge(e.state_before) : h("span", { class: "muted" }, "new"), " → ", badge(e.state_after)),
    },
    {
      label: "Object",
      cell: (e) =>
        e.credential_binding_job_id ? h("span", {}, "job ", code(e.credential_binding_job_id)) : h("span", {}, "passkey ", code(e.credential_id)),
    },
    identityLink ? { label: "Identity", cell: (e) => h("a", { href: href(`/identities/${encodeURIComponent(e.identity_id)}`) }, code(e.identity_id)) } : null,
    { label: "Actor", cell: (e) => actor(e.actor) },
  ].filter(Boolean);
}

function actor(a) {
  const names = { API_TOKEN: "API token", CONSOLE_SESSION: "Console session", LINK: "Binding link", SYSTEM: "System" };
  return h("span", {}, names[a?.type] ?? a?.type ?? "—", a?.id ? [" ", code(a.id)] : null);
}

export async function render({ view, query, path }) {
  view.append(...heading("Events", "Every credential-binding job and passkey state change in this realm (the audit log), newest first."));
  const type = select({ name: "type" }, [["", "All"], ["CredentialBindingJobChange", "CredentialBindingJobChange"], ["CredentialChange", "CredentialChange"]], query.get("type") ?? "");
  const input = (name) => h("input", { name, value: query.get(name) ?? "", autocomplete: "off", spellcheck: "false" });
  const form = h(
    "form",
    { class: "toolbar filters", "aria-label": "Filters" },
    field("Event type", type),
    field("Identity ID", input("identity_id")),
    field("Job ID", input("job_id")),
    field("Credential ID", input("credential_id")),
    h("button", { type: "submit", class: "secondary" }, "Filter"),
    FILTERS.some((f) => query.get(f)) ? h("a", { href: href(path), class: "button-link" }, "Clear") : null,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = {};
    for (const f of FILTERS) q[f] = form.elements[f].value.trim();
    go(path, q);
  });
  const list = h("section", { "aria-label": "Event list" }, h("p", { class: "muted" }, "Loading…"));
  view.append(form, list);

  const q = { page_size: 25, page_token: query.get("page_token") };
  for (const f of FILTERS) q[f] = query.get(f);
  try {
    const answer = await api("GET", `${realmPath()}/events`, undefined, { query: q });
    put(list, table("Change events, newest first", eventColumns(), answer.events, "No events match."), pager(path, query, answer, answer.events.length));
  } catch (e) {
    put(list, fail(e, "Loading events"));
  }
}
