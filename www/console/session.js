// Who is signed in, and which realm the pages work on. Kept in memory only:
// the API token is exchanged for an HttpOnly cookie at sign-in and never
// stored by the console; on reload the session is read back from the server.

import { api } from "./api.js";

/** The SessionView, the realm in use and the realms the session can reach. */
export const session = { view: null, realmId: null, realms: [], realmsError: null };

const enc = encodeURIComponent;

/** `/v1/tenants/{t}` of the session. */
export function tenantPath() {
  return `/v1/tenants/${enc(session.view.tenant_id)}`;
}

/** `/v1/tenants/{t}/realms/{r}` of the realm in use. */
export function realmPath() {
  return `${tenantPath()}/realms/${enc(session.realmId)}`;
}

/** True when the session may act on every realm of its tenant. */
export function tenantWide() {
  return session.view && session.view.realm_id === null;
}

/** Reads the current session (null when signed out). */
export async function loadSession() {
  try {
    setSession(await api("GET", "/v1/console/session"));
  } catch (e) {
    if (e.status === 401) return clearSession();
    throw e;
  }
  return session.view;
}

/** Signs in with an admin API token; the token is sent once and dropped. */
export async function signIn(apiToken) {
  setSession(await api("POST", "/v1/console/session", { api_token: apiToken }));
  return session.view;
}

/** Signs out (the server clears the cookie). */
export async function signOut() {
  try {
    await api("DELETE", "/v1/console/session");
  } finally {
    clearSession();
  }
}

function setSession(view) {
  session.view = view;
  session.realms = [];
  session.realmsError = null;
  session.realmId = view.realm_id ?? null;
}

function clearSession() {
  session.view = null;
  session.realmId = null;
  session.realms = [];
  return null;
}

/**
 * The realms the session reaches (`GET …/realms`). A realm-scoped session has
 * its realm; a tenant-wide one picks the first unless one is already chosen.
 * If the endpoint fails, `realmsError` says why and the realm stays as it is.
 */
export async function loadRealms() {
  try {
    const { realms } = await api("GET", `${tenantPath()}/realms`);
    session.realms = realms;
    session.realmsError = null;
    if (!session.realmId || !realms.some((r) => r.id === session.realmId)) session.realmId = realms[0]?.id ?? null;
  } catch (e) {
    session.realmsError = e;
    if (!session.realmId) {
      // Without the realms list: in --dev, the dev realm is a good guess.
      try {
        const res = await fetch(new URL("../dev/bootstrap", import.meta.url), { credentials: "omit" });
        if (res.ok) {
          const dev = await res.json();
          if (dev.tenant_id === session.view.tenant_id) session.realmId = dev.realm_id;
        }
      } catch {
        // Not in --dev: the realm picker takes an ID by hand.
      }
    }
  }
}
