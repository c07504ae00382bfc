// Hash routes: `#/identities?q=ada`, `#/identities/{id}`, … Each route names
// a page module, loaded on first use. Hashes that do not start with `#/` are
// left alone (they are not pages).

const routes = [];

/** Registers `pattern` (e.g. "/identities/:id") → `load()` resolving to a page module. */
export function route(pattern, load) {
  const names = [];
  const source = pattern.replace(/:([a-z_]+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  routes.push({ pattern, regex: new RegExp(`^${source}$`), names, load });
}

/** The current hash as `{path, query}` (query: URLSearchParams). */
export function current() {
  const raw = location.hash.startsWith("#/") ? location.hash.slice(1) : "/";
  const at = raw.indexOf("?");
  const path = at < 0 ? raw : raw.slice(0, at);
  return { path, query: new URLSearchParams(at < 0 ? "" : raw.slice(at + 1)) };
}

/** `#/path?query` for a link; empty query values are left out. */
export function href(path, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  const qs = params.toString();
  return `#${path}${qs ? `?${qs}` : ""}`;
}

/** Goes to a page (a new history entry; re-renders when it is the page already shown). */
export function go(path, query) {
  const target = href(path, query);
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = target;
}

/** The route for a path: `{route, params}` or null. */
export function match(path) {
  for (const r of routes) {
    const m = r.regex.exec(path);
    if (m) {
      const params = {};
      r.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1]);
      });
      return { route: r, params };
    }
  }
  return null;
}
