// The demo: what an application's backend (admin API) and frontend (the SDK)
// do, side by side on one page. In a real deployment the API token never
// reaches a browser; here it comes from the service's --dev bootstrap.
import init, { bindPasskey, isBindPasskeyUrl } from "/sdk/passbind.js";

const $ = (id) => document.getElementById(id);
let env; // { api_base, tenant_id, realm_id, authenticator_config_id, api_token }

function log(text, cls) {
  const li = document.createElement("li");
  li.textContent = text;
  if (cls) li.className = cls;
  $("log").append(li);
}

async function admin(method, path, body) {
  const res = await fetch(`${env.api_base}/v1/tenants/${env.tenant_id}/realms/${env.realm_id}${path}`, {
    method,
    headers: { Authorization: `Bearer ${env.api_token}`, "Content-Type": "application/json" },
    body: body && JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw Object.assign(new Error(json.message), { code: json.code });
  return json;
}

async function loadIdentities(selectId) {
  const { identities } = await admin("GET", "/identities");
  const select = $("identity-select");
  select.replaceChildren(...identities.map((i) => new Option(`${i.display_name} (${i.traits.username})`, i.id)));
  if (selectId) select.value = selectId;
  await loadPasskeys();
}

async function loadPasskeys() {
  const id = $("identity-select").value;
  if (!id) return $("passkeys").replaceChildren();
  const { credentials } = await admin("GET", `/identities/${id}/credentials`);
  $("passkeys").replaceChildren(...credentials.map((c) => {
    const li = document.createElement("li");
    li.textContent = `${c.credential_id.slice(0, 16)}… · ${c.state} · ${c.created}`;
    return li;
  }));
}

function checkLink() {
  const ok = isBindPasskeyUrl($("link").value.trim());
  $("link-status").textContent = ok ? "isBindPasskeyUrl: true" : "isBindPasskeyUrl: false";
  $("link-status").className = ok ? "ok" : "muted";
  $("bind").disabled = !ok;
}

$("identity-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  try {
    const identity = await admin("POST", "/identities", {
      identity: {
        display_name: f.get("display_name"),
        traits: { type: "traits_v0", username: f.get("username"), primary_email_address: f.get("email") || undefined },
      },
    });
    log(`Identity ${identity.id} created`, "ok");
    await loadIdentities(identity.id);
  } catch (e) {
    log(`Creating the identity failed: ${e.code}: ${e.message}`, "error");
  }
});

$("identity-select").addEventListener("change", loadPasskeys);

$("create-job").addEventListener("click", async () => {
  const id = $("identity-select").value;
  if (!id) return log("Create or pick an identity first", "error");
  try {
    const res = await admin("POST", `/identities/${id}/credential-binding-jobs`, {
      job: { delivery_method: "RETURN", authenticator_config_id: env.authenticator_config_id },
    });
    $("link").value = res.credential_binding_link;
    log(`Job ${res.credential_binding_job.id} is ${res.credential_binding_job.state}; the link came back`, "ok");
  } catch (e) {
    log(`Creating the job failed: ${e.code}: ${e.message}`, "error");
  }
  checkLink();
});

$("send-email").addEventListener("click", async () => {
  const id = $("identity-select").value;
  const status = $("email-status");
  if (!id) return log("Create or pick an identity first", "error");
  status.replaceChildren();
  try {
    const res = await admin("POST", `/identities/${id}/credential-binding-jobs`, {
      job: {
        delivery_method: "EMAIL",
        authenticator_config_id: env.authenticator_config_id,
        // /bind sends the person back here afterwards.
        post_binding_redirect_uri: `${location.origin}/?bound=${id}`,
      },
    });
    const job = res.credential_binding_job;
    log(`Job ${job.id} is ${job.state}: the enrollment email is on its way (no link in the answer)`, "ok");
    const outbox = await (await fetch("/dev/outbox")).json();
    const mail = outbox.messages.find((m) => m.file.includes(job.id));
    const p = document.createElement("p");
    if (outbox.smtp) {
      p.textContent = "Sent over SMTP: look in that mailbox and open the link.";
    } else if (mail) {
      p.append(`Written to the outbox for ${mail.to}: ${mail.file}. `);
      const a = document.createElement("a");
      a.href = mail.link;
      a.id = "email-link";
      a.textContent = "Open the emailed link";
      p.append(a, " (as the person would, from their inbox).");
    } else {
      p.textContent = "Written to the outbox (data/outbox).";
    }
    p.className = "ok";
    status.append(p);
  } catch (e) {
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = `Sending failed: ${e.code}: ${e.message}`;
    status.append(p);
    log(`Creating the EMAIL job failed: ${e.code}: ${e.message}`, "error");
  }
});

$("link").addEventListener("input", checkLink);

$("bind").addEventListener("click", async () => {
  $("result").textContent = "Waiting for the authenticator…";
  $("result").className = "";
  try {
    const { passkey, postBindingRedirectUri } = await bindPasskey($("link").value.trim());
    $("result").textContent = JSON.stringify({ passkey, postBindingRedirectUri }, null, 2);
    $("result").className = "ok";
    log(`Passkey ${passkey.id} bound to ${passkey.identity.username}`, "ok");
    await loadPasskeys();
  } catch (e) {
    $("result").textContent = `${e.code}: ${e.message}`;
    $("result").className = "error";
    log(`bindPasskey failed with ${e.code}${e.cause?.name ? ` (${e.cause.name})` : ""}`, "error");
  }
});

async function main() {
  await init();
  const res = await fetch("/dev/bootstrap");
  if (!res.ok) {
    $("bootstrap-status").textContent = "This demo needs the service started with --dev (npm start does that).";
    $("bootstrap-status").className = "error";
    return;
  }
  env = await res.json();
  $("bootstrap-status").textContent = `Tenant ${env.tenant_id}, realm ${env.realm_id}, hosted_web authenticator config ${env.authenticator_config_id}`;
  log("SDK loaded; dev tenant found", "ok");
  // Back from the /bind page of an emailed link.
  const bound = new URLSearchParams(location.search).get("bound");
  await loadIdentities(bound ?? undefined);
  if (bound) log("Back from the /bind page: the passkey below was bound through the emailed link", "ok");
}

main().catch((e) => log(`Start-up failed: ${e.message}`, "error"));
