// The /bind page: reads the binding link from its own address, runs
// bindPasskey(link), shows where it is, the result, and sends the person on to
// postBindingRedirectUri. No framework, no build step: copy bind.html,
// bind.js and bind.css together. The SDK's location is the data-sdk attribute
// of <main id="bind"> (default /sdk/passbind.js on this page's origin).

const $ = (id) => document.getElementById(id);
const root = $("bind");
const sdkUrl = new URL(root.dataset.sdk || "/sdk/passbind.js", location.href).href;
const link = location.href;
/** How long the success message stays before the redirect. */
const REDIRECT_DELAY_MS = 2500;

// What each error code means for the person, and whether trying again can help.
const MESSAGES = {
  INVALID_LINK: ["This link is not valid", "It may be incomplete: some email programs break long links across lines. Open the link from your email again, or ask for a new one."],
  LINK_EXPIRED: ["This link has expired", "Passkey links only work for a limited time. Ask for a new link."],
  JOB_COMPLETE: ["This link was already used", "A passkey has already been created with it, so you can sign in with that passkey. If it was not you, tell your administrator."],
  JOB_REVOKED: ["This link was cancelled", "It can no longer be used. If you still need a passkey, ask for a new link."],
  IDENTITY_SUSPENDED: ["This account is suspended", "A passkey cannot be created for it right now. Contact your administrator."],
  NOT_ALLOWED: ["The passkey was not created", "The request was cancelled or timed out, or your device could not confirm it was you. You can try again.", true],
  ALREADY_REGISTERED: ["You already have a passkey on this authenticator", "This device or security key already holds a passkey for your account, so you can sign in with it. To add another, use a different device or security key."],
  ABORTED: ["Creating the passkey was interrupted", "Nothing was saved. You can try again.", true],
  UNSUPPORTED: ["This browser cannot create passkeys", "Open the link in an up-to-date browser (Chrome, Edge, Firefox or Safari) on a device with a screen lock, or use a security key."],
  SECURITY: ["This page may not create your passkey", "The page's address does not match the service the passkey is for. Open the link from your email directly, or contact your administrator."],
  ATTESTATION_REJECTED: ["Your authenticator's answer was not accepted", "The passkey could not be verified, so it was not saved. Try another device or security key, or contact your administrator."],
  NETWORK: ["The service could not be reached", "Check your internet connection, then try again.", true],
  SERVER: ["Something went wrong on our side", "The passkey was not created. Please try again later, or contact your administrator."],
};

const STEPS = ["preparing", "authenticator", "saving"];
const STATUS = {
  preparing: "Preparing…",
  authenticator: "Waiting for your authenticator: follow your browser's or device's prompt.",
  saving: "Saving your passkey…",
};

let sdk;
let running = false;
let stage = "preparing";

function setStage(name) {
  stage = name;
  const at = STEPS.indexOf(name);
  for (const li of root.querySelectorAll(".steps li")) {
    const i = STEPS.indexOf(li.dataset.step);
    li.classList.toggle("done", name === "done" || i < at);
    li.classList.remove("failed");
    if (i === at) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
  }
  root.dataset.state = name;
  if (STATUS[name]) $("status").textContent = STATUS[name];
}

// The SDK has no progress callback. It calls navigator.credentials.create by
// name, so wrapping that method shows, truthfully, when the authenticator is
// asked and when it answered. If the browser does not let us wrap it, the
// page shows "waiting for your authenticator" as soon as bindPasskey starts.
function observeAuthenticator() {
  const container = navigator.credentials;
  if (!container || typeof container.create !== "function") return false;
  const create = container.create.bind(container);
  try {
    container.create = (options) => {
      setStage("authenticator");
      return create(options).then((credential) => {
        setStage("saving");
        return credential;
      });
    };
    return container.create !== create;
  } catch {
    return false;
  }
}

function showResult(kind, title, text) {
  const result = $("result");
  $("retry").parentElement.hidden = $("retry").hidden && $("continue").hidden;
  result.className = kind;
  result.hidden = false;
  $("result-title").textContent = title;
  $("result-text").textContent = text;
  $("result-title").focus();
}

function showSuccess({ passkey, postBindingRedirectUri }) {
  setStage("done");
  const who = passkey?.identity?.username;
  $("status").textContent = "Done.";
  $("retry").hidden = true;
  $("technical").hidden = true;
  const target = safeRedirect(postBindingRedirectUri);
  const text = `${who ? `You can now sign in as ${who}` : "You can now sign in"} with this device's screen lock or your security key.`;
  if (target) {
    // The link before showResult, which shows the button row only when one of its buttons is visible.
    const a = $("continue");
    a.href = target;
    a.hidden = false;
    showResult("ok", "Your passkey is ready", `${text} Taking you back in a moment…`);
    setTimeout(() => location.assign(target), REDIRECT_DELAY_MS);
  } else {
    showResult("ok", "Your passkey is ready", `${text} You can close this page.`);
  }
}

/** Only http(s) addresses are followed (the service checks this too). */
function safeRedirect(uri) {
  if (!uri) return null;
  try {
    const u = new URL(uri);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

function showError(error) {
  const code = MESSAGES[error?.code] ? error.code : "SERVER";
  const [title, text, retry] = MESSAGES[code];
  const failed = root.querySelector(`.steps li[data-step="${stage}"]`);
  failed?.removeAttribute("aria-current");
  failed?.classList.add("failed");
  root.dataset.state = "error";
  root.dataset.code = code;
  $("status").textContent = retry ? "Stopped. You can try again." : "Stopped.";
  $("retry").hidden = !retry;
  $("continue").hidden = true;
  $("technical").hidden = false;
  $("result-code").textContent = error?.code ?? "SERVER";
  $("result-message").textContent = error?.message ?? String(error);
  showResult("error", title, text);
}

async function run() {
  if (running) return;
  running = true;
  $("result").hidden = true;
  $("retry").hidden = true;
  delete root.dataset.code;
  setStage("preparing");
  try {
    if (!sdk) {
      try {
        const module = await import(sdkUrl);
        await module.default();
        sdk = module;
      } catch (e) {
        throw Object.assign(new Error(`the passkey SDK could not be loaded from ${sdkUrl}: ${e.message}`), { code: "NETWORK" });
      }
    }
    if (!observed) setStage("authenticator");
    showSuccess(await sdk.bindPasskey(link));
  } catch (e) {
    showError(e);
  } finally {
    running = false;
  }
}

const observed = observeAuthenticator();
$("retry").addEventListener("click", run);
run();
