// The console's entry: routes, the header (navigation, realm picker, sign-out)
// and page rendering with focus management.

import { h, field, select, put } from "./dom.js";
import { route, current, match, go } from "./router.js";
import { session, loadSession, loadRealms, signOut, tenantWide } from "./session.js";
import { say, fail, errorBox, busy, clearStaleStatus } from "./ui.js";

route("/sign-in", () => import("./pages/signin.js"));
route("/identities", () => import("./pages/identities.js"));
route("/identities/:id", () => import("./pages/identity.js"));
route("/authenticator-configs", () => import("./pages/configs.js"));
route("/events", () => import("./pages/events.js"));
route("/email-branding", () => import("./pages/branding.js"));
route("/api-tokens", () => import("./pages/tokens.js"));
route("/webhooks", () => import("./pages/webhooks.js"));
route("/webhooks/:id", () => import("./pages/webhook.js"));

const $ = (id) => document.getElementById(id);
let renders = 0;
let afterSignIn = null;
let startupError = null;

/** Renders the page of the current hash into <main>, then moves focus to its heading. */
async function render() {
  const ticket = ++renders;
  const { path, query } = current();
  if (!session.view && path !== "/sign-in") {
    // Back here after signing in (a deep link, or a session that ended).
    if (path !== "/") afterSignIn = location.hash;
    return replace("/sign-in");
  }
  if (session.view && (path === "/" || path === "/sign-in")) return replace("/identities");
  updateHeader(path);
  clearStaleStatus();
  const main = $("main");
  const view = h("div", { class: "view" });
  put(main, view);
  const found = match(path);
  try {
    if (!found) {
      view.append(h("h1", { tabindex: "-1" }, "Page not found"), h("p", {}, h("a", { href: "#/identities" }, "Go to Identities")));
    } else {
      const page = await found.route.load();
      await page.render({ view, params: found.params, query, path, startupError, rerender: render, signedIn });
    }
  } catch (e) {
    view.append(h("h1", { tabindex: "-1" }, "Something went wrong"), fail(e));
  }
  if (ticket !== renders) return;
  const heading = view.querySelector("h1");
  document.title = heading ? `${heading.textContent} · passbind console` : "passbind console";
  // Focus follows navigation (not the first load of a signed-in page, which keeps the skip link first).
  if (heading && (navigated || path === "/sign-in")) heading.focus();
}

let navigated = false;

function replace(path) {
  history.replaceState(null, "", `#${path}`);
  return render();
}

/** Navigation links, the realm picker and who is signed in. */
function updateHeader(path) {
  const signedIn = Boolean(session.view);
  $("nav").hidden = !signedIn;
  $("who").hidden = !signedIn;
  const section = path.split("/")[1];
  for (const a of $("nav").querySelectorAll("a")) {
    if (a.dataset.section === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (!signedIn) return;
  const v = session.view;
  const scope = tenantWide() ? "tenant-wide" : "one realm";
  const until = new Date(v.expire_time);
  const expiry = Number.isNaN(until.getTime()) ? "" : ` · until ${until.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}`;
  $("who-text").textContent = `Signed in with ${v.description ? `“${v.description}”` : `API token ${v.api_token_id}`} (${scope})${expiry}`;
  renderRealmPicker();
}

function renderRealmPicker() {
  const box = $("realm-picker");
  const onChange = (realmId) => {
    if (!realmId || realmId === session.realmId) return;
    session.realmId = realmId;
    const name = session.realms.find((r) => r.id === realmId)?.display_name ?? realmId;
    say(`Now working in realm ${name}.`, "ok");
    // An identity belongs to one realm: go back to the list.
    const { path } = current();
    if (path.startsWith("/identities/")) go("/identities");
    else render();
  };
  if (session.realms.length === 1 || (session.realms.length > 0 && !tenantWide())) {
    // Nothing to pick: the realm's name.
    const r = session.realms.find((x) => x.id === session.realmId) ?? session.realms[0];
    put(box, h("p", { class: "realm-name" }, "Realm: ", h("strong", {}, r.display_name || r.id)));
    return;
  }
  if (session.realms.length > 0) {
    const options = session.realms.map((r) => [r.id, r.display_name || r.id]);
    const picker = select({ name: "realm", id: "realm" }, options, session.realmId);
    picker.addEventListener("change", () => onChange(picker.value));
    put(box, field("Realm", picker));
    return;
  }
  // No realms list (the endpoint failed): a realm ID by hand.
  const input = h("input", { id: "realm", name: "realm", value: session.realmId ?? "", spellcheck: "false", autocomplete: "off" });
  const form = h(
    "form",
    { class: "inline", onsubmit: (ev) => (ev.preventDefault(), onChange(input.value.trim())) },
    field("Realm ID", input),
    h("button", { type: "submit", class: "secondary" }, "Use"),
  );
  put(box, form, session.realmsError ? errorBox(session.realmsError, "Realms") : null);
}

/** After sign-in (or a reload with a live session): the realms, then the first page. */
async function signedIn() {
  await loadRealms();
  const next = afterSignIn;
  afterSignIn = null;
  if (next) location.hash = next;
  else go("/identities");
}

async function start() {
  try {
    if (await loadSession()) await loadRealms();
  } catch (e) {
    // E.g. the session endpoint is missing: the sign-in page says so.
    startupError = e;
  }
  window.addEventListener("hashchange", () => {
    navigated = true;
    render();
  });
  window.addEventListener("console:unauthenticated", () => {
    if (!session.view) return;
    session.view = null;
    afterSignIn = location.hash;
    say("Your session has ended: sign in again.", "error", { sticky: true });
    go("/sign-in");
  });
  $("sign-out").addEventListener("click", (ev) =>
    busy(ev.currentTarget, async () => {
      try {
        await signOut();
        say("Signed out.", "ok");
      } catch (e) {
        fail(e, "Signing out");
      }
      go("/sign-in");
    }),
  );
  $("skip").addEventListener("click", (ev) => {
    // The hash is the router's: focus the page heading instead of jumping to #main.
    ev.preventDefault();
    ($("main").querySelector("h1") ?? $("main")).focus();
  });
  await render();
}

start();
