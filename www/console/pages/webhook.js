// One webhook and its delivery log (state, attempts, last status), paged.

import { api } from "../api.js";
import { h, table, time, badge, code, put } from "../dom.js";
import { tenantPath } from "../session.js";
import { fail, heading, pager } from "../ui.js";

export async function render({ view, params, query, path, rerender }) {
  const base = `${tenantPath()}/webhooks/${encodeURIComponent(params.id)}`;
  let webhook;
  try {
    webhook = await api("GET", base);
  } catch (e) {
    view.append(...heading("Webhook"), fail(e, "Loading the webhook"), h("p", {}, h("a", { href: "#/webhooks" }, "Back to Webhooks")));
    return;
  }
  const refresh = h("button", { type: "button", class: "secondary", onclick: () => rerender() }, "Refresh");
  view.append(
    h("p", { class: "crumbs" }, h("a", { href: "#/webhooks" }, "Webhooks"), " / ", webhook.description || webhook.id),
    ...heading(`Deliveries to ${webhook.url}`),
    h(
      "section",
      { class: "card", "aria-label": "Details" },
      h(
        "dl",
        { class: "details" },
        h("dt", {}, "URL"),
        h("dd", {}, webhook.url),
        h("dt", {}, "Description"),
        h("dd", {}, webhook.description || "—"),
        h("dt", {}, "Webhook ID"),
        h("dd", {}, code(webhook.id)),
        h("dt", {}, "Created"),
        h("dd", {}, time(webhook.create_time)),
      ),
      h("div", { class: "actions" }, refresh),
    ),
  );
  const list = h("section", { "aria-label": "Delivery log" }, h("p", { class: "muted" }, "Loading…"));
  view.append(list);
  try {
    const answer = await api("GET", `${base}/deliveries`, undefined, { query: { page_size: 25, page_token: query.get("page_token") } });
    put(list, 
      table(
        "Deliveries",
        [
          { label: "Event", cell: (d) => [d.event_type, " ", code(d.event_id)] },
          { label: "State", cell: (d) => badge(d.state) },
          { label: "Attempts", cell: (d) => String(d.attempts) },
          { label: "Last attempt", cell: (d) => time(d.last_attempt_time) },
          { label: "Last status", cell: (d) => (d.last_status_code ? String(d.last_status_code) : "—") },
          { label: "Next attempt", cell: (d) => (d.state === "PENDING" ? time(d.next_attempt_time) : "—") },
          { label: "Last error", cell: (d) => d.last_error || "—" },
        ],
        answer.deliveries,
        "Nothing delivered yet.",
      ),
      pager(path, query, answer, answer.deliveries.length),
    );
  } catch (e) {
    put(list, fail(e, "Loading deliveries"));
  }
}
