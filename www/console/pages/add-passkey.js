// "Add a passkey" on an identity's page: choose the authenticator config,
// then EMAIL ("Proceed & send email", optional post-binding redirect) or
// RETURN (the link with a Copy button and a QR code for a phone).

import { api } from "../api.js";
import { h, field, time, uid, put } from "../dom.js";
import { realmPath } from "../session.js";
import { say, fail, copy, busy, values } from "../ui.js";
import { qrCode } from "../qr.js";

/** The "Add a passkey" button and its form: choose the config, then EMAIL or RETURN. */
export function addPasskey(identity, base, refresh) {
  const panelId = uid("add-passkey");
  const open = h("button", { type: "button", id: "add-passkey", "aria-expanded": "false", "aria-controls": panelId }, "Add a passkey");
  const panel = h("section", { id: panelId, class: "card add-passkey", hidden: true, "aria-labelledby": `${panelId}-h` });
  const result = h("div", { class: "result" });
  open.addEventListener("click", async () => {
    const show = panel.hidden;
    panel.hidden = !show;
    open.setAttribute("aria-expanded", String(show));
    if (show) {
      await fillPanel();
      panel.querySelector("select, input")?.focus();
    }
  });

  async function fillPanel() {
    put(panel, h("h2", { id: `${panelId}-h` }, "Add a passkey"), h("p", { class: "muted" }, "Loading authenticator configs…"));
    let configs;
    try {
      ({ authenticator_configs: configs } = await api("GET", `${realmPath()}/authenticator-configs`, undefined, { query: { page_size: 100 } }));
    } catch (e) {
      put(panel, h("h2", { id: `${panelId}-h` }, "Add a passkey"), fail(e, "Loading authenticator configs"));
      return;
    }
    if (!configs.length) {
      put(panel, 
        h("h2", { id: `${panelId}-h` }, "Add a passkey"),
        h("p", {}, "This realm has no authenticator config yet. ", h("a", { href: "#/authenticator-configs" }, "Create one first"), "."),
      );
      return;
    }
    const email = identity.traits.primary_email_address;
    const configSelect = h(
      "select",
      { name: "authenticator_config_id", required: true },
      configs.map((c) => h("option", { value: c.id }, configLabel(c))),
    );
    const radio = (value, label, hint, disabled) => {
      const id = uid("delivery");
      return h(
        "div",
        { class: "choice" },
        h("input", { type: "radio", name: "delivery_method", value, id, checked: value === "EMAIL" ? !disabled : Boolean(disabled), disabled }),
        h("label", { for: id }, h("strong", {}, label), h("span", { class: "muted" }, ` — ${hint}`)),
      );
    };
    const submit = h("button", { type: "submit", id: "proceed" }, "Proceed & send email");
    const redirect = h("input", { name: "post_binding_redirect_uri", type: "url", autocomplete: "off", spellcheck: "false", placeholder: "https://app.example.com/welcome" });
    const form = h(
      "form",
      {},
      field("Authenticator config", configSelect, "Where the person binds the passkey: passbind's own page (hosted_web) or your application (embedded)."),
      h(
        "fieldset",
        {},
        h("legend", {}, "Delivery"),
        radio("EMAIL", "Send an enrollment email", email ? `to ${email}` : "this identity has no email address", !email),
        radio("RETURN", "Show a link", "copy it or scan the QR code on a phone"),
      ),
      field("Post-binding redirect URI (optional)", redirect, "Where the person lands after the passkey is created."),
      h("div", { class: "actions" }, submit),
    );
    const sync = () => {
      const method = form.elements.delivery_method.value;
      submit.textContent = method === "EMAIL" ? "Proceed & send email" : "Create link";
    };
    form.addEventListener("change", sync);
    sync();
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const v = values(form);
      result.replaceChildren();
      busy(submit, async () => {
        try {
          const answer = await api("POST", `${base}/credential-binding-jobs`, {
            job: { delivery_method: v.delivery_method, authenticator_config_id: v.authenticator_config_id, post_binding_redirect_uri: v.post_binding_redirect_uri },
          });
          const job = answer.credential_binding_job;
          if (v.delivery_method === "EMAIL") {
            result.append(h("p", { class: "ok", id: "email-sent" }, `Enrollment email sent to ${email}. The job is ${job.state}; it expires `, time(job.expire_time), "."));
            say(`Enrollment email sent to ${email}.`, "ok");
          } else {
            result.append(await linkBox(answer.credential_binding_link));
            say("Binding link created: copy it or scan the QR code.", "ok");
          }
          await refresh();
        } catch (e) {
          result.append(fail(e, "Creating the binding job"));
        }
      });
    });
    put(panel, h("h2", { id: `${panelId}-h` }, "Add a passkey"), form, result);
  }

  return h("div", { class: "add" }, h("div", { class: "actions" }, open), panel);
}

function configLabel(c) {
  const short = c.id.slice(0, 8);
  return c.config.type === "embedded" ? `embedded — ${c.config.invoke_url} (${short})` : `hosted_web — passbind's /bind page (${short})`;
}

/** A RETURN job's link: read-only, Copy, and a QR code for a phone. */
async function linkBox(link) {
  const area = h("textarea", { readonly: true, rows: 3, spellcheck: "false", class: "link", id: "binding-link" });
  area.value = link;
  const qr = await qrCode(link, "QR code of the binding link");
  return h(
    "div",
    { class: "linkbox" },
    h(
      "div",
      {},
      field("Binding link", area, "Anyone holding this link can bind a passkey to this identity until the job ends: hand it only to the person."),
      h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => copy(link, "Binding link") }, "Copy link")),
    ),
    qr ? h("figure", { class: "qr-figure" }, qr, h("figcaption", { class: "muted" }, "Scan on the phone that should hold the passkey.")) : null,
  );
}
