// A tiny element builder. It only ever sets text (text nodes) and attributes,
// never HTML from a string, so every value from the API is escaped by
// construction: there is no innerHTML anywhere in the console.

const SVG_NS = "http://www.w3.org/2000/svg";

function build(el, props, children) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name === "value" && "value" in el) el.value = value;
    else if (name === "checked" || name === "selected") el[name] = Boolean(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces `el`'s children (null, undefined and false are skipped, unlike the DOM's own). */
export function put(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** `h("a", {href, class}, "text", child…)`: an HTML element. */
export function h(tag, props, ...children) {
  return build(document.createElement(tag), props, children);
}

/** The same for SVG elements. */
export function s(tag, props, ...children) {
  return build(document.createElementNS(SVG_NS, tag), props, children);
}

let ids = 0;
/** A fresh element id, for label/aria wiring. */
export function uid(prefix = "f") {
  ids += 1;
  return `${prefix}-${ids}`;
}

/**
 * A labelled control: `<div class="field"><label for>…</label><control id>
 * <p class="hint" id>…</p></div>`. `control` is an element (input, select,
 * textarea); the hint, when given, is its accessible description.
 */
export function field(label, control, hint) {
  const id = control.id || uid();
  control.id = id;
  const parts = [h("label", { for: id }, label), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute("aria-describedby", hintId);
    parts.push(h("p", { class: "hint", id: hintId }, hint));
  }
  return h("div", { class: "field" }, parts);
}

/** `<select>` of `[value, label]` pairs. */
export function select(props, options, selected) {
  return h(
    "select",
    props,
    options.map(([value, label]) => h("option", { value, selected: value === selected }, label)),
  );
}

/**
 * A data table: `columns` is `[{label, cell(row) → node|string}]`. With no
 * rows it says `empty` instead, in a paragraph.
 */
export function table(caption, columns, rows, empty = "Nothing here yet.") {
  if (!rows.length) return h("p", { class: "muted empty" }, empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: caption.visible ? "" : "sr-only" }, caption.text ?? caption),
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label)))),
      h("tbody", {}, rows.map((row) => h("tr", {}, columns.map((c) => h("td", { class: c.class }, c.cell(row)))))),
    ),
  );
}

/** An RFC 3339 time as the reader's local date and time (the raw value in the title). */
export function time(iso) {
  if (!iso) return h("span", { class: "muted" }, "—");
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return h("time", { datetime: iso, title: iso }, d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }));
}

/** A state as a badge: the word itself (colour is never the only signal). */
export function badge(state) {
  const tone =
    {
      ACTIVE: "ok",
      active: "ok",
      COMPLETE: "ok",
      SUCCEEDED: "ok",
      REVOKED: "bad",
      FAILED: "bad",
      FAILED_TO_SEND: "bad",
      suspended: "bad",
      EXPIRED: "muted",
    }[state] ?? "info";
  return h("span", { class: `badge ${tone}` }, state ?? "—");
}

/** A short monospace ID, the full value in its title and for screen readers. */
export function code(text) {
  return h("code", {}, text ?? "—");
}
