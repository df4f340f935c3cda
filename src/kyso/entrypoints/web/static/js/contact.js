// The support desk, as the operator set it (GET /api/v1/contact; KYSO_SUPPORT_PHONE and
// KYSO_SUPPORT_EMAIL): "Gọi hỗ trợ" under lock-outs, errors and recovery, so a customer is
// never at a dead end. Kept in localStorage too: it shows when the server cannot be reached.
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";

const KEY = "kyso.contact";
let asked = null;

function kept() {
  try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch { return null; }
}

function load() {
  asked ??= fetch("/api/v1/contact", { headers: { Accept: "application/json" }, credentials: "omit" })
    .then((r) => (r.ok ? r.json() : kept()))
    .then((c) => { if (c) localStorage.setItem(KEY, JSON.stringify(c)); return c; })
    .catch(() => { asked = null; return kept(); });
  return asked;
}

/** A "Gọi hỗ trợ" box (a tel: link, and the email), filled in once the contact is known;
 *  hidden while the operator has set neither. */
export function supportLine() {
  const box = h("div", { class: "support-contact", hidden: true });
  const fill = (c) => {
    if (!c || (!c.phone && !c.email)) return;
    replace(box, h("p", { class: "muted" }, t("supTitle")), h("div", { class: "actions" },
      c.phone ? h("a", { href: `tel:${c.tel}`, class: "button-link call-support" }, `${t("supCall")} ${c.phone}`) : null,
      c.email ? h("a", { href: `mailto:${c.email}`, class: "button-link secondary mail-support" }, `${t("supEmail")} ${c.email}`) : null));
    box.hidden = false;
  };
  fill(kept());
  load().then(fill);
  return box;
}

/** Codes after which only the support desk (or time) helps: locks, exhausted attempts, and a
 *  server that fails (a 5xx). */
const STUCK = new Set(["locked", "account_locked", "method_locked", "otp_send_limit",
  "too_many_requests", "resync_failed"]);

export function stuck(err) {
  return STUCK.has(err?.code) || err?.attemptsRemaining === 0 || err?.status >= 500;
}
