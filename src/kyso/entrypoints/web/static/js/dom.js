// Building the page: elements from data with textContent only (never HTML from strings).
import { serverMs, timeHeard } from "./api.js";
import { stuck, supportLine } from "./contact.js";
import { t } from "./i18n.js";
import { datePicker, filePicker } from "./pickers.js";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let seq = 0;
/** A labelled input; returns [wrapper, input]. */
export function field(label, attrs = {}, hint = null) {
  const id = `f${++seq}`;
  const described = { "aria-describedby": hint ? `${id}-hint` : null };
  if (attrs.type === "date" || attrs.type === "file") {  // never the browser's own (pickers.js)
    const [input, after] = attrs.type === "date" ? datePicker(id, { ...attrs, ...described })
      : [null, filePicker(id, { ...attrs, ...described }, label)];
    const control = input || after.querySelector("input");
    const wrap = h("div", { class: "field" }, h("label", { for: id }, label), input,
      hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null, after);
    return [wrap, control];
  }
  const input = attrs.tag === "select"
    ? h("select", { id, name: attrs.name }, ...(attrs.options || []))
    : h(attrs.tag || "input", { id, ...attrs, tag: null, options: null,
        "aria-describedby": hint ? `${id}-hint` : null });
  const wrap = h("div", { class: "field" }, h("label", { for: id }, label), input,
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null);
  return [wrap, input];
}

/** The announced error/success line of a form; after an error ``err`` that only the support
 *  desk can help with (a lock, the last attempt), "Gọi hỗ trợ" follows it. */
export function status() {
  const el = h("p", { class: "status", role: "status", "aria-live": "polite", hidden: true });
  let help = null;
  el.show = (text, kind = "error", err = null) => {
    help?.remove();
    help = kind === "error" && stuck(err) ? supportLine() : null;
    if (help) el.after(help);
    el.className = `status ${kind}`;
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    el.textContent = text;
    el.hidden = false;
    if (kind === "error") {  // a long form's error must not stay off-screen
      el.tabIndex = -1;
      el.scrollIntoView({ block: "center" });
      el.focus({ preventScroll: true });
    }
  };
  el.clear = () => { el.hidden = true; el.textContent = ""; help?.remove(); help = null; };
  return el;
}

export function describe(err) {
  if (err && err.code === "network") return t("networkError");
  const text = (err && err.message) || t("unknownError");
  return Number.isInteger(err?.attemptsRemaining) ? `${text} ${t("attemptsLeft", { n: err.attemptsRemaining })}` : text;
}

/** Draw a page again in ``el`` (``draw`` reads what it needs, then replaces ``el``'s children).
 * Until it is drawn the old page takes no tap and says it is busy: a tap there would open a
 * flow on the page being replaced, and the customer would see nothing happen. */
export async function redraw(el, draw) {
  el.inert = true;
  el.setAttribute("aria-busy", "true");
  el.classList.add("redrawing");
  try { return await draw(); } finally {
    el.inert = false;
    el.removeAttribute("aria-busy");
    el.classList.remove("redrawing");
  }
}

/** Run ``work`` with the button disabled; errors go to ``out``. */
export async function busy(button, out, work) {
  button.disabled = true;
  out?.clear();
  try { return await work(); } catch (err) { out?.show(describe(err), "error", err); return undefined; }
  finally { button.disabled = false; }
}

/** dd/MM/yyyy HH:mm in the browser's time zone, in both languages. */
export function fmtDate(value) {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return "—";
  const two = (n) => String(n).padStart(2, "0");
  return `${two(d.getDate())}/${two(d.getMonth() + 1)}/${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** 1161 → "19 phút 21 giây": a span of time in the units of a watch, not in seconds. */
export function duration(n) {
  const hours = Math.floor(n / 3600);
  const minutes = Math.floor((n % 3600) / 60);
  const seconds = n % 60;
  if (hours) return t(minutes ? "uxHourMin" : "uxHours", { h: hours, m: minutes });
  if (minutes) return t(seconds ? "uxMinSec" : "uxMinutes", { m: minutes, s: seconds });
  return t("uxSeconds", { s: seconds });
}

/** Ticks ``show`` every second against the clock (a phone slows the timers of a page left in
 *  the background) until it returns false or its element leaves the page. */
function ticking(el, show) {
  let seen = false;
  const timer = setInterval(() => {
    if (el.isConnected) seen = true;
    else if (seen) { clearInterval(timer); return; }
    if (!show()) clearInterval(timer);
  }, 1000);
  if (!show()) clearInterval(timer);
  return timer;
}

/** A deadline as the customer reads it: "10:42 (còn 4 phút 12 giây)", counted down, then
 *  "10:42 (đã hết hạn)" — a clock time alone makes them do the sum against their watch.
 *  Counted in the server's time (``serverMs``: a phone's clock may be minutes off).
 *  ``lapsed`` runs each time the count reaches the end, and again while it stays there each
 *  time a new answer has told the server's time (after the caller has put the element on the
 *  page: a deadline already past calls it on the next turn). */
export function deadline(value, lapsed = null) {
  const el = h("span", { class: "deadline" });
  const until = new Date(value).getTime();
  if (Number.isNaN(until)) { el.textContent = "—"; return el; }
  let ended = false;
  let asked = -1;  // timeHeard() when ``lapsed`` last ran
  ticking(el, () => {  // on while shown: the server's time as heard may move back (a new answer)
    const left = Math.ceil((until - serverMs()) / 1000);
    el.textContent = t(left > 0 ? "ux4Left" : "ux4Over", { at: fmtDate(value), d: duration(Math.max(left, 0)) });
    el.classList.toggle("over", left <= 0);
    // at the end, and again at the end as told by a newer answer (two answers within a second,
    // the first moving the count back, the second past the end: no tick saw it running)
    if (left <= 0 && lapsed && (!ended || asked !== timeHeard())) {
      asked = timeHeard();
      setTimeout(lapsed, 0);
    }
    ended = left <= 0;
    return true;
  });
  return el;
}

/** A "send again" button that waits out the server's cool-down: disabled, with the time left
 *  on it; ``idle`` is its label once it can be used again. */
export function coolDown(button, seconds, idle) {
  clearInterval(button.coolDownTimer);
  const until = Date.now() + Math.max(0, seconds || 0) * 1000;
  button.coolDownTimer = ticking(button, () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    button.disabled = left > 0;
    button.textContent = left > 0 ? t("ux4AgainIn", { label: idle, d: duration(left) }) : idle;
    return left > 0;
  });
}

export function vnd(amount) {
  return `${new Intl.NumberFormat("vi-VN").format(amount)} ₫`;
}

export function card(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

export function dl(pairs) {
  return h("dl", { class: "pairs" }, pairs.filter(Boolean).flatMap(([k, v]) =>
    [h("dt", {}, k), h("dd", {}, v ?? "—")]));
}

export function table(headers, rows) {
  return h("table", {}, h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c, i) => h("td", { "data-label": headers[i] || null }, c))))));
}

export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, class: "visually-hidden" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Ask before a destructive or final action: a question under ``anchor`` with "yes" and
 *  "no" buttons; ``action`` runs on "yes" only. */
export function ask(anchor, question, yes, action) {
  anchor.parentElement?.querySelector(".confirm")?.remove();
  const box = h("div", { class: "confirm", role: "alertdialog", "aria-label": question, tabindex: -1 },
    h("p", {}, question));
  const no = h("button", { type: "button", class: "secondary", onclick: () => { box.remove(); anchor.focus(); } }, t("askNo"));
  const ok = h("button", { type: "button", class: "danger", onclick: () => { box.remove(); action(); } }, yes);
  box.append(h("div", { class: "actions" }, ok, no));
  anchor.after(box);
  box.focus();
}
