// Email branding of the realm: six fields, saved with PUT, and a live
// preview of the enrollment email — the HTML part in a sandboxed iframe (no
// scripts; the preview document has its own strict CSP) plus From, Subject
// and the text part. The preview holds a sample link, never a real one.

import { api, apiUrl } from "../api.js";
import { h, field, put } from "../dom.js";
import { realmPath } from "../session.js";
import { say, fail, heading, busy, values } from "../ui.js";

const FIELDS = ["sender_name", "subject", "logo_url", "primary_color", "support_url", "footer_text"];

export async function render({ view }) {
  view.append(...heading("Email branding", "How the enrollment email and the hosted /bind page look in this realm. Empty fields use passbind's defaults."));
  const base = `${realmPath()}/email-branding`;
  const loadProblem = h("div", {});

  const color = h("input", { name: "primary_color", autocomplete: "off", spellcheck: "false", placeholder: "#3451b2", pattern: "#[0-9A-Fa-f]{6}" });
  const picker = h("input", { type: "color", value: "#3451b2", class: "picker" });
  picker.addEventListener("input", () => {
    color.value = picker.value;
    schedule();
  });
  color.addEventListener("input", () => {
    if (/^#[0-9a-f]{6}$/i.test(color.value)) picker.value = color.value.toLowerCase();
  });
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "branding-form-h", novalidate: true },
    h("h2", { id: "branding-form-h" }, "Branding"),
    field("Sender name", h("input", { name: "sender_name", maxlength: 64, autocomplete: "off" }), "The From display name, e.g. “Acme Security”."),
    field("Subject", h("input", { name: "subject", maxlength: 120, autocomplete: "off" }), "The email's subject line."),
    field("Logo URL", h("input", { name: "logo_url", type: "url", autocomplete: "off", spellcheck: "false", placeholder: "https://…/logo.png" }), "An https image, shown at the top."),
    h("div", { class: "color-row" }, field("Primary colour", color, "#rrggbb: buttons and links."), field("Pick colour", picker)),
    field("Support URL", h("input", { name: "support_url", type: "url", autocomplete: "off", spellcheck: "false", placeholder: "https://…/help" }), "An https page for “Need help?”."),
    field("Footer text", h("textarea", { name: "footer_text", rows: 3, maxlength: 500 }), "Plain text under the message."),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save branding")),
  );
  const saveProblem = h("div", {});
  form.append(saveProblem);

  const frame = h("iframe", { sandbox: "", title: "Preview of the enrollment email (HTML part)", class: "preview-frame", referrerpolicy: "no-referrer" });
  const meta = h("dl", { class: "details" });
  const text = h("pre", { class: "preview-text", tabindex: "0", "aria-label": "Text part" });
  const previewProblem = h("div", {});
  const preview = h(
    "section",
    { class: "card preview", "aria-labelledby": "preview-h" },
    h("h2", { id: "preview-h" }, "Preview"),
    h("p", { class: "muted" }, "Updates as you type; shows a sample link. Not saved until you press Save."),
    previewProblem,
    meta,
    frame,
    h("h3", {}, "Text part"),
    text,
  );
  view.append(loadProblem, h("div", { class: "split" }, form, preview));

  function overrides() {
    const v = values(form);
    const q = new URLSearchParams();
    for (const f of FIELDS) q.set(f, v[f] ?? "");
    return q;
  }

  let timer;
  let ticket = 0;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(updatePreview, 350);
  }
  async function updatePreview() {
    const mine = ++ticket;
    const q = overrides();
    try {
      const json = await api("GET", `${base}/preview`, undefined, { query: { format: "json", ...Object.fromEntries(q) } });
      if (mine !== ticket) return;
      previewProblem.replaceChildren();
      put(meta, h("dt", {}, "From"), h("dd", { id: "preview-from" }, json.from), h("dt", {}, "Subject"), h("dd", { id: "preview-subject" }, json.subject));
      text.textContent = json.text;
      q.set("format", "html");
      const src = `${apiUrl(`${base}/preview`)}?${q}`;
      if (frame.src !== src) frame.src = src;
    } catch (e) {
      if (mine !== ticket) return;
      put(previewProblem, fail(e, "Preview"));
    }
  }
  form.addEventListener("input", schedule);

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = values(form);
    const body = Object.fromEntries(FIELDS.map((f) => [f, v[f] ?? null]));
    saveProblem.replaceChildren();
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    busy(form.querySelector("button[type=submit]"), async () => {
      try {
        fill(await api("PUT", base, body));
        say("Email branding saved.", "ok");
      } catch (e) {
        put(saveProblem, fail(e, "Saving"));
        for (const d of e.details ?? []) {
          const name = FIELDS.find((f) => d.field === f || d.field?.endsWith(`.${f}`));
          if (name) form.elements[name].setAttribute("aria-invalid", "true");
        }
        form.querySelector("[aria-invalid]")?.focus();
      }
    });
  });

  function fill(branding) {
    for (const f of FIELDS) form.elements[f].value = branding[f] ?? "";
    if (/^#[0-9a-f]{6}$/i.test(color.value)) picker.value = color.value.toLowerCase();
  }

  try {
    fill(await api("GET", base));
  } catch (e) {
    loadProblem.append(fail(e, "Loading the branding"));
  }
  await updatePreview();
}
