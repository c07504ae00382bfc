// One identity: details, its passkeys and binding jobs (with revoke), "Add a
// passkey" (EMAIL: "Proceed & send email"; RETURN: the link, Copy and a QR
// code) and its change events.

import { api } from "../api.js";
import { h, table, time, badge, code, put } from "../dom.js";
import { href } from "../router.js";
import { realmPath } from "../session.js";
import { fail, heading, actionButton } from "../ui.js";
import { addPasskey } from "./add-passkey.js";
import { statusButton } from "./identities.js";
import { eventColumns } from "./events.js";

const OPEN_JOB = new Set(["LINK_SENT", "LINK_OPENED"]);

export async function render({ view, params, rerender }) {
  const base = `${realmPath()}/identities/${encodeURIComponent(params.id)}`;
  let identity;
  try {
    identity = await api("GET", base);
  } catch (e) {
    view.append(...heading("Identity"), fail(e, "Loading the identity"), h("p", {}, h("a", { href: "#/identities" }, "Back to Identities")));
    return;
  }

  const passkeys = h("section", { class: "card", "aria-labelledby": "passkeys-h" }, h("h2", { id: "passkeys-h" }, "Passkeys"));
  const jobs = h("section", { class: "card", "aria-labelledby": "jobs-h" }, h("h2", { id: "jobs-h" }, "Binding jobs"));
  const events = h("section", { class: "card", "aria-labelledby": "events-h" }, h("h2", { id: "events-h" }, "Events"));
  const passkeyBody = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const jobBody = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const eventBody = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  passkeys.append(passkeyBody);
  jobs.append(jobBody);
  events.append(eventBody);

  const refresh = () => Promise.all([loadPasskeys(), loadJobs(), loadEvents()]);

  async function loadPasskeys() {
    try {
      const { credentials } = await api("GET", `${base}/credentials`, undefined, { query: { page_size: 100 } });
      put(passkeyBody, 
        table(
          "Passkeys of this identity",
          [
            { label: "Authenticator", cell: (c) => authenticator(c) },
            { label: "Created", cell: (c) => time(c.create_time) },
            { label: "Backup", cell: (c) => backup(c) },
            { label: "Transports", cell: (c) => (c.transports?.length ? c.transports.join(", ") : h("span", { class: "muted" }, "—")) },
            { label: "State", cell: (c) => badge(c.state) },
            { label: "Actions", cell: (c) => (c.state === "ACTIVE" ? revokeButton("passkey", `${base}/credentials/${encodeURIComponent(c.id)}:revoke`, c.id) : "") },
          ],
          credentials,
          "No passkeys yet: use “Add a passkey”.",
        ),
      );
    } catch (e) {
      put(passkeyBody, fail(e, "Loading passkeys"));
    }
  }

  async function loadJobs() {
    try {
      const answer = await api("GET", `${base}/credential-binding-jobs`, undefined, { query: { page_size: 100 } });
      const rows = [...answer.credential_binding_jobs].reverse(); // newest first
      put(jobBody, 
        table(
          "Credential-binding jobs of this identity",
          [
            { label: "State", cell: (j) => badge(j.state) },
            { label: "Delivery", cell: (j) => j.delivery_method },
            { label: "Created", cell: (j) => time(j.create_time) },
            { label: "Expires", cell: (j) => time(j.expire_time) },
            { label: "Job", cell: (j) => code(j.id) },
            {
              label: "Actions",
              cell: (j) => (OPEN_JOB.has(j.state) ? revokeButton("binding job", `${base}/credential-binding-jobs/${encodeURIComponent(j.id)}:revoke`, j.id) : ""),
            },
          ],
          rows,
          "No binding jobs yet.",
        ),
      );
    } catch (e) {
      put(jobBody, fail(e, "Loading binding jobs"));
    }
  }

  async function loadEvents() {
    try {
      const answer = await api("GET", `${realmPath()}/events`, undefined, { query: { identity_id: identity.id, page_size: 50 } });
      put(eventBody, 
        table("Change events of this identity, newest first", eventColumns({ identityLink: false }), answer.events, "No changes recorded yet."),
        answer.next_page_token || answer.total_size > answer.events.length
          ? h("p", {}, h("a", { href: href("/events", { identity_id: identity.id }) }, `All ${answer.total_size} events of this identity`))
          : null,
      );
    } catch (e) {
      put(eventBody, fail(e, "Loading events"));
    }
  }

  function revokeButton(what, url, id) {
    return actionButton({
      text: "Revoke",
      label: `Revoke ${what} ${id}`,
      confirm: `Revoke this ${what}? This cannot be undone.`,
      action: () => api("POST", url),
      ok: `The ${what} is revoked.`,
      what: `Revoking the ${what}`,
      done: refresh,
    });
  }

  const email = identity.traits.primary_email_address;
  view.append(
    h("p", { class: "crumbs" }, h("a", { href: "#/identities" }, "Identities"), " / ", identity.traits.username),
    ...heading(identity.display_name),
    h(
      "section",
      { class: "card", "aria-label": "Details" },
      h(
        "dl",
        { class: "details" },
        h("dt", {}, "Username"),
        h("dd", {}, identity.traits.username),
        h("dt", {}, "Email"),
        h("dd", {}, email ?? "—"),
        h("dt", {}, "Status"),
        h("dd", {}, badge(identity.status)),
        h("dt", {}, "Identity ID"),
        h("dd", {}, code(identity.id)),
        h("dt", {}, "Created"),
        h("dd", {}, time(identity.create_time)),
      ),
      h("div", { class: "actions" }, statusButton(identity, rerender)),
    ),
    addPasskey(identity, base, refresh),
    passkeys,
    jobs,
    events,
  );
  await refresh();
}

// The model's name (from the service's metadata or AAGUID list) with its icon
// when the metadata has one, and the AAGUID as the secondary line.
function authenticator(c) {
  const { name, icon } = c.authenticator ?? {};
  if (!name) return aaguid(c.aaguid);
  const picture = typeof icon === "string" && icon.startsWith("data:image/") ? h("img", { class: "model-icon", src: icon, alt: "" }) : "";
  return h("span", {}, picture, name, h("br"), h("span", { class: "muted small" }, "AAGUID ", code(c.aaguid)));
}

function aaguid(value) {
  if (!value || /^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(value)) return h("span", {}, code(value ?? "—"), h("span", { class: "muted" }, " (not disclosed)"));
  return code(value);
}

function backup(c) {
  if (!c.backup_eligible) return "Device-bound";
  return c.backed_up ? "Synced (backed up)" : "Eligible, not backed up";
}
