// A certificate's serial as a customer reads it: the first six and last four hex digits
// ("4AAF08…94DA"), the same on every page; the whole value behind "Xem đầy đủ" (and in the title).
import { h } from "./dom.js";
import { t } from "./i18n.js";

/** The serial shortened (upper case; a short one stays whole). */
export function shortSerial(serial) {
  const s = String(serial).toUpperCase();
  return s.length <= 12 ? s : `${s.slice(0, 6)}…${s.slice(-4)}`;
}

/** The short serial, with the full one a tap away. */
export function serialView(serial) {
  const full = String(serial).toUpperCase();
  const short = h("span", { class: "serial", title: full }, shortSerial(serial));
  if (full.length <= 12) return short;
  return h("span", { class: "serial-view" }, short,
    h("details", { class: "serial-more" }, h("summary", {}, t("ux2SerialFull")),
      h("code", { class: "serial-full" }, full)));
}
