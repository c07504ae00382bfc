// The admin API from the console: same-origin fetches that carry the session
// cookie (HttpOnly: this code never sees it), the CSRF header on every unsafe
// method, and the API's `{code, message, details}` errors as Error objects.

/** An API error: `.status`, `.code`, `.details`, and `.missing` when the server has no such endpoint. */
export class ApiError extends Error {
  constructor(message, { status, code, details = [], missing = false, method, path }) {
    super(message);
    this.name = "ApiError";
    Object.assign(this, { status, code, details, missing, method, path });
  }
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** The service's base: the console lives at {base}/console/, so a path prefix in front of it is kept. */
const BASE = new URL("../", import.meta.url);

/** The absolute URL of an API path (`/v1/…`) on this service. */
export function apiUrl(path) {
  return new URL(path.replace(/^\//, ""), BASE).href;
}

/**
 * `api("POST", "/v1/…", body, {query})` → the parsed JSON answer (null for 204).
 * Query values that are empty, null or undefined are left out.
 */
export async function api(method, path, body, { query } = {}) {
  let url = apiUrl(path);
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  const headers = { Accept: "application/json" };
  if (!SAFE.has(method)) headers["X-Passbind-CSRF"] = "1";
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(`The service could not be reached (${e.message}).`, { status: 0, code: "network", method, path });
  }
  if (res.status === 204) return null;
  let json = null;
  try {
    json = await res.json();
  } catch {
    // Not JSON: described below from the status alone.
  }
  if (res.ok) return json;
  // The router's catch-all answers 404 "no such resource"; a path that exists
  // with another method answers 405: either way this server lacks the endpoint.
  const missing = res.status === 405 || (res.status === 404 && json?.message === "no such resource");
  const message = missing
    ? `This server does not offer ${method} ${path.replace(/\/v1\/tenants\/[^/]+/, "/v1/tenants/{t}").replace(/\/realms\/[^/]+/, "/realms/{r}")} (yet).`
    : (json?.message ?? `${res.status} ${res.statusText}`);
  const error = new ApiError(message, {
    status: res.status,
    code: json?.code ?? `http_${res.status}`,
    details: Array.isArray(json?.details) ? json.details : [],
    missing,
    method,
    path,
  });
  if (res.status === 401 && !path.startsWith("/v1/console/session")) {
    // The session ended (expired or signed out elsewhere): back to sign-in,
    // after the caller has reported this error (the sign-in page says why).
    setTimeout(() => window.dispatchEvent(new CustomEvent("console:unauthenticated")));
  }
  throw error;
}

/** One line for an error: the message, its details' fields and descriptions. */
export function describe(error) {
  if (!(error instanceof ApiError)) return error?.message ?? String(error);
  const details = error.details
    .map((d) => (typeof d === "string" ? d : [d.field, d.description ?? d.message].filter(Boolean).join(": ")))
    .filter(Boolean);
  const head = error.missing ? error.message : `${error.message} (${error.code})`;
  return details.length ? `${head} — ${details.join("; ")}` : head;
}
