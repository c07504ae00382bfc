// Sign-in: an admin API token is exchanged for a session cookie
// (POST /v1/console/session). The token goes into that one request and is
// then dropped: never stored, never put in the URL.

import { h, field, put } from "../dom.js";
import { signIn } from "../session.js";
import { say, fail, errorBox, heading, busy } from "../ui.js";

export async function render({ view, startupError, signedIn }) {
  const token = h("input", {
    type: "password",
    name: "api_token",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
  });
  const problem = h("div", { class: "problem" });
  const submit = h("button", { type: "submit" }, "Sign in");

  async function attempt(value, button) {
    problem.replaceChildren();
    await busy(button, async () => {
      try {
        await signIn(value);
        token.value = "";
        say("Signed in.", "ok");
        await signedIn();
      } catch (e) {
        token.value = "";
        const msg = e.status === 401 ? "That API token was not accepted (unknown, revoked or mistyped)." : null;
        put(problem, msg ? h("p", { class: "error" }, h("strong", {}, "Error: "), msg) : fail(e, "Signing in"));
        if (msg) say(msg, "error");
        token.focus();
      }
    });
  }

  const form = h(
    "form",
    {
      class: "card narrow",
      onsubmit: (ev) => {
        ev.preventDefault();
        attempt(token.value.trim(), submit);
      },
    },
    field(
      "Admin API token",
      token,
      "From “passbind-server token create” or the API tokens page. It is exchanged for a session cookie and not kept by the browser.",
    ),
    h("div", { class: "actions" }, submit),
  );

  view.append(
    h(
      "section",
      { class: "signin", "aria-labelledby": "signin-h" },
      ...heading("Sign in to the console", "Manage identities, passkeys and binding jobs of your tenant."),
      startupError ? errorBox(startupError, "Reading the session") : null,
      form,
      problem,
    ),
  );
  view.querySelector("h1").id = "signin-h";

  // --dev only: the dev fixtures' token, offered with one button.
  try {
    const res = await fetch(new URL("../../dev/bootstrap", import.meta.url), { credentials: "omit", cache: "no-store" });
    if (res.ok) {
      const dev = await res.json();
      const use = h("button", { type: "button", class: "secondary", id: "use-dev-token" }, "Use the dev token");
      use.addEventListener("click", () => attempt(dev.api_token, use));
      form.after(
        h(
          "div",
          { class: "card narrow dev" },
          h("p", {}, "This server runs with ", h("code", {}, "--dev"), ": sign in with the dev tenant's token."),
          use,
        ),
      );
    }
  } catch {
    // Not in --dev.
  }
}
