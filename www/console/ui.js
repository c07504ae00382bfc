// Pieces every page uses: the live status line, error boxes, paging links,
// copy buttons and "shown once" secrets.

import { describe } from "./api.js";
import { h, uid } from "./dom.js";
import { href } from "./router.js";

let keep = { until: 0 };

/**
 * Announces a status line in the live region (`kind`: "ok" | "error" |
 * "info"). A success said just before a navigation ("created" → the new
 * page) stays for that page; errors belong to their page, unless `sticky`.
 */
export function say(text, kind = "info", { sticky = false } = {}) {
  keep = { until: kind !== "error" || sticky ? Date.now() + 1500 : 0 };
  const status = document.getElementById("status");
  status.className = `status ${kind}`;
  // Cleared first so the same text twice is announced twice.
  status.textContent = "";
  requestAnimationFrame(() => {
    status.textContent = kind === "error" ? `Error: ${text}` : text;
  });
}

/** Clears a status line left from an earlier page (one said just now, e.g. "created", stays). */
export function clearStaleStatus() {
  if (Date.now() < keep.until) {
    keep = { until: 0 };
    return;
  }
  const status = document.getElementById("status");
  status.className = "status";
  status.textContent = "";
}

/** Announces an error and answers an inline box for it. */
export function fail(error, what) {
  const text = what ? `${what}: ${describe(error)}` : describe(error);
  say(text, "error");
  return errorBox(error, what);
}

/** An inline error paragraph (a missing endpoint reads as such). */
export function errorBox(error, what) {
  return h(
    "p",
    { class: error?.missing ? "error missing" : "error", "data-code": error?.code },
    h("strong", {}, error?.missing ? "Not available: " : "Error: "),
    what ? `${what}: ` : "",
    describe(error),
  );
}

/** The page heading (focused after navigation) and an optional lead paragraph. */
export function heading(text, lead) {
  return [h("h1", { tabindex: "-1" }, text), lead ? h("p", { class: "lead" }, lead) : null].filter(Boolean);
}

/**
 * Paging links for a list answer `{total_size, next_page_token?}`: "First
 * page" and "Next page" keep the page's other query parameters.
 */
export function pager(path, query, answer, shown) {
  const at = Number(query.get("at") ?? 0);
  const base = Object.fromEntries([...query.entries()].filter(([k]) => k !== "page_token" && k !== "at"));
  const total = answer.total_size ?? shown;
  const range = shown ? `${at + 1}–${at + shown} of ${total}` : `0 of ${total}`;
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    h("p", { class: "muted" }, `Showing ${range}`),
    at > 0 ? h("a", { href: href(path, base) }, "First page") : null,
    answer.next_page_token ? h("a", { href: href(path, { ...base, page_token: answer.next_page_token, at: at + shown }) }, "Next page") : null,
  );
}

/** Copies `text`, announcing the outcome (the clipboard may be refused). */
export async function copy(text, what = "Copied") {
  try {
    await navigator.clipboard.writeText(text);
    say(`${what} to the clipboard.`, "ok");
  } catch {
    say("The browser refused the clipboard: select the text and copy it by hand.", "error");
  }
}

/**
 * A value shown once (a new token or signing secret): a read-only field with
 * a Copy button, and a warning that it will not be shown again.
 */
export function secretBox(label, value, note) {
  const id = uid("secret");
  const input = h("input", { type: "text", id, readonly: true, value, class: "secret", spellcheck: "false", autocomplete: "off", "aria-describedby": `${id}-hint` });
  input.addEventListener("focus", () => input.select());
  return h(
    "div",
    { class: "once" },
    h("label", { for: id }, label),
    h("div", { class: "once-row" }, input, h("button", { type: "button", class: "secondary", onclick: () => copy(value, label) }, "Copy")),
    h("p", { class: "hint", id: `${id}-hint` }, note ?? "Shown only this once: copy it now and keep it somewhere safe."),
  );
}

/** Runs `action` with `button` disabled meanwhile (no double submits). */
export async function busy(button, action) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

/** The values of a form's named controls, trimmed (empty → undefined). */
export function values(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) {
    const t = typeof v === "string" ? v.trim() : v;
    out[k] = t === "" ? undefined : t;
  }
  return out;
}

/**
 * A row action button (`danger` for the red style): asks `confirm` first
 * when given, then runs `action`, announces `ok` and runs `done` (the
 * reload); a failure is announced as "`what`: …".
 */
export function actionButton({ text, label, danger = true, confirm, action, ok, what, done }) {
  const button = h("button", { type: "button", class: danger ? "secondary danger" : "secondary", "aria-label": label }, text);
  button.addEventListener("click", () => {
    if (confirm && !window.confirm(confirm)) return;
    busy(button, async () => {
      try {
        await action();
        say(ok, "ok");
        await done?.();
      } catch (e) {
        fail(e, what);
      }
    });
  });
  return button;
}

/**
 * A create form whose answer holds a secret shown once: on submit,
 * `create(values)`; `show(answer)` goes into `created` (focused, so it can
 * be copied at once), `ok` is announced, the form reset and `done` run; a
 * failure is shown in `created` as "`what`: …".
 */
export function onCreate(form, created, { create, show, ok, what, done }) {
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = values(form);
    created.replaceChildren();
    busy(form.querySelector("button[type=submit]"), async () => {
      try {
        created.append(show(await create(v)));
        form.reset();
        say(ok, "ok");
        await done();
        created.querySelector("input")?.focus();
      } catch (e) {
        created.append(fail(e, what));
      }
    });
  });
  return form;
}
