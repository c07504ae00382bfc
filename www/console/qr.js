// A QR code as inline SVG, drawn from the matrix the `uqr` package computes
// (copied to vendor/uqr.mjs by `scripts/setup.sh node`). Without that file
// the console works on, minus the code.

import { s } from "./dom.js";

/** An <svg> QR code of `text`, or null when the encoder is not installed. */
export async function qrCode(text, label) {
  let encode;
  try {
    ({ encode } = await import("./vendor/uqr.mjs"));
  } catch {
    return null;
  }
  const { data, size } = encode(text, { ecc: "M", border: 2 });
  // One path of unit squares: small, and crisp at any scale.
  let d = "";
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    });
  });
  return s(
    "svg",
    { viewBox: `0 0 ${size} ${size}`, class: "qr", role: "img", "aria-label": label, "shape-rendering": "crispEdges" },
    s("rect", { width: size, height: size, fill: "#fff" }),
    s("path", { d, fill: "#000" }),
  );
}
