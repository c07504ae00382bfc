// Authenticator configs: list, create (hosted_web, or embedded with invoke
// URL, trusted origins and the WebAuthn policy fields), delete.

import { api } from "../api.js";
import { h, field, table, code, select, uid, put } from "../dom.js";
import { realmPath } from "../session.js";
import { say, fail, heading, busy, values, actionButton } from "../ui.js";

export async function render({ view, rerender }) {
  view.append(...heading("Authenticator configs", "How this realm's passkeys are bound: on passbind's own page (hosted_web) or in your application (embedded)."));
  const list = h("section", { "aria-label": "Config list" }, h("p", { class: "muted" }, "Loading…"));
  view.append(list, createForm(rerender));
  try {
    const { authenticator_configs: configs } = await api("GET", `${realmPath()}/authenticator-configs`, undefined, { query: { page_size: 200 } });
    put(list, 
      table(
        "Authenticator configs",
        [
          { label: "Type", cell: (c) => c.config.type },
          { label: "ID", cell: (c) => code(c.id) },
          { label: "Invoke URL", cell: (c) => c.config.invoke_url ?? h("span", { class: "muted" }, "passbind /bind") },
          { label: "Trusted origins", cell: (c) => (c.config.trusted_origins?.length ? c.config.trusted_origins.join(", ") : "—") },
          { label: "Policy", cell: (c) => policy(c.config) },
          { label: "Actions", cell: (c) => deleteButton(c, rerender) },
        ],
        configs,
        "No authenticator configs yet.",
      ),
    );
  } catch (e) {
    put(list, fail(e, "Loading authenticator configs"));
  }
}

function policy(c) {
  const parts = [
    c.rp_id && `RP ID ${c.rp_id}`,
    c.authenticator_attachment && `attachment ${c.authenticator_attachment}`,
    c.user_verification && `user verification ${c.user_verification}`,
    c.attestation && `attestation ${c.attestation}`,
    c.policy?.attestation_required && "trusted attestation required",
    c.policy?.certified_only && "certified authenticators only",
    c.policy?.aaguid_allow?.length && `${c.policy.aaguid_allow.length} allowed AAGUID${c.policy.aaguid_allow.length > 1 ? "s" : ""}`,
    c.policy?.aaguid_deny?.length && `${c.policy.aaguid_deny.length} denied AAGUID${c.policy.aaguid_deny.length > 1 ? "s" : ""}`,
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : h("span", { class: "muted" }, "defaults");
}

function deleteButton(c, done) {
  return actionButton({
    text: "Delete",
    label: `Delete config ${c.id}`,
    confirm: "Delete this authenticator config?",
    action: () => api("DELETE", `${realmPath()}/authenticator-configs/${encodeURIComponent(c.id)}`),
    ok: "Authenticator config deleted.",
    what: "Deleting the config",
    done,
  });
}

function createForm(done) {
  const typeRadio = (value, label, hint) => {
    const id = uid("type");
    return h(
      "div",
      { class: "choice" },
      h("input", { type: "radio", name: "type", value, id, checked: value === "hosted_web" }),
      h("label", { for: id }, h("strong", {}, label), h("span", { class: "muted" }, ` — ${hint}`)),
    );
  };
  const embedded = h(
    "div",
    { class: "grid", hidden: true },
    field("Invoke URL", h("input", { name: "invoke_url", type: "url", autocomplete: "off", spellcheck: "false", placeholder: "https://app.example.com" }), "Your app's page; the link opens {invoke URL}/bind."),
    field(
      "Trusted origins",
      h("textarea", { name: "trusted_origins", rows: 2, spellcheck: "false", placeholder: "https://app.example.com" }),
      "One origin per line (scheme://host[:port]); they may call the binding endpoints.",
    ),
  );
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "create-config-h" },
    h("h2", { id: "create-config-h" }, "Create an authenticator config"),
    h("fieldset", {}, h("legend", {}, "Type"), typeRadio("hosted_web", "hosted_web", "passbind hosts the /bind page"), typeRadio("embedded", "embedded", "your application binds with the SDK")),
    embedded,
    h(
      "fieldset",
      {},
      h("legend", {}, "WebAuthn policy"),
      h(
        "div",
        { class: "grid" },
        field("RP ID (optional)", h("input", { name: "rp_id", autocomplete: "off", spellcheck: "false" }), "The host, or a parent domain of it."),
        field("Authenticator attachment", select({ name: "authenticator_attachment" }, [["", "Any"], ["platform", "platform"], ["cross-platform", "cross-platform"]])),
        field("User verification", select({ name: "user_verification" }, [["", "Default (required)"], ["required", "required"], ["preferred", "preferred"], ["discouraged", "discouraged"]])),
        field("Attestation", select({ name: "attestation" }, [["", "Default (none)"], ["none", "none"], ["indirect", "indirect"], ["direct", "direct"], ["enterprise", "enterprise"]])),
      ),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create config")),
  );
  form.addEventListener("change", () => {
    embedded.hidden = form.elements.type.value !== "embedded";
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = values(form);
    const config = { type: v.type };
    if (v.type === "embedded") {
      config.invoke_url = v.invoke_url;
      config.trusted_origins = (v.trusted_origins ?? "").split(/\s+/).filter(Boolean);
    }
    for (const k of ["rp_id", "authenticator_attachment", "user_verification", "attestation"]) if (v[k]) config[k] = v[k];
    busy(form.querySelector("button[type=submit]"), async () => {
      form.querySelector(".error")?.remove();
      try {
        await api("POST", `${realmPath()}/authenticator-configs`, { authenticator_config: { config } });
        say("Authenticator config created.", "ok");
        await done();
      } catch (e) {
        form.append(fail(e, "Creating the config"));
      }
    });
  });
  return form;
}
