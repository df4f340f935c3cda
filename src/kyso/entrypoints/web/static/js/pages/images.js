// The eKYC images checked in the browser before they are sent (the server's rules,
// onboarding/images.py and EkycPolicy): JPEG or PNG by content, at most 1 MiB, at least
// 300 pixels on each side, three different images. A mistake caught here costs no attempt.
import { field, h } from "../dom.js";
import { t } from "../i18n.js";

export const RULES = { maxBytes: 1024 * 1024, minPixels: 300, attempts: 3 };
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** {type, width, height} read from the header, or null when it is neither PNG nor JPEG. */
export function sniff(bytes) {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && png.every((b, i) => bytes[i] === b)
      && String.fromCharCode(...bytes.slice(12, 16)) === "IHDR") {
    return { type: "png", width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) return null;
  let at = 2;
  while (at + 9 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) { at += 1; continue; }
    if (SOF.has(marker)) return { type: "jpeg", height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    at += 2 + view.getUint16(at + 2);
  }
  return null;
}

function same(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The first problem as [index, i18n key, params], or null when the three images pass. */
export async function problem(files) {
  const contents = [];
  for (const [i, file] of files.entries()) {
    if (file.size > RULES.maxBytes) return [i, "imgTooLarge", {}];
    const bytes = new Uint8Array(await file.arrayBuffer());
    const image = sniff(bytes);
    if (!image) return [i, "imgNotImage", {}];
    if (Math.min(image.width, image.height) < RULES.minPixels) {
      return [i, "imgTooSmall", { width: image.width, height: image.height }];
    }
    const twin = contents.findIndex((c) => same(c, bytes));
    if (twin >= 0) return [i, "imgSame", {}];
    contents.push(bytes);
  }
  return null;
}

/** The three file fields (front, back, portrait) with the rules stated before them, ``left``
 *  attempts. ``missing(out)`` says and focuses an empty one; ``checked(out)`` gives the
 *  FormData to send, or null after saying the mistake caught here (no attempt spent).
 *  eKYC (onboarding.js) and the identity re-check (identity.js) both use it. */
export function chooser(left, id) {
  const name = (part) => t(part === "back" ? "back_" : part);
  // the card's sides with the back camera, the portrait with the front one
  const parts = ["front", "back", "portrait"].map((part) =>
    [part, ...field(name(part), { type: "file", name: part, accept: "image/jpeg,image/png",
      capture: part === "portrait" ? "user" : "environment" })]);
  const rules = h("div", { class: "status info", id }, h("p", {}, t("imgRulesTitle")),
    h("ul", {}, ["imgRuleType", "imgRuleSize", "imgRulePixels", "imgRuleDistinct"].map((k) =>
      h("li", {}, t(k, { pixels: RULES.minPixels })))),
    h("p", {}, t("imgAttemptsLeft", { n: left, max: RULES.attempts })));
  const missing = (out) => {
    parts.forEach(([, , input]) => input.removeAttribute("aria-invalid"));
    const empty = parts.find(([, , input]) => !input.files[0]);
    if (empty) { out.show(t("required")); empty[2].focus(); }
    return Boolean(empty);
  };
  const checked = async (out) => {
    const found = await problem(parts.map(([, , input]) => input.files[0]));
    if (found) {
      const [index, key, params] = found;
      const input = parts[index][2];
      input.setAttribute("aria-invalid", "true");
      out.show(`${name(parts[index][0])}: ${t(key, params)}. ${t("imgNoAttempt")}`);
      input.focus();
      return null;
    }
    const body = new FormData();
    parts.forEach(([part, , input]) => body.append(part, input.files[0], input.files[0].name));
    return body;
  };
  return { rules, fields: parts.map(([, wrap]) => wrap), missing, checked };
}
