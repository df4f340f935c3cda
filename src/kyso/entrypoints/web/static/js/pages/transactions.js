// Pending confirmations (giải pháp 3): what is approved, in words, then the code. With the
// token on this device: SmartOTP PIN → the OCRA code over these very details is computed and
// filled in → "Sử dụng mã OTP". On the SMS method (or a token held elsewhere) the code is typed.
import { get, post, serverMs } from "../api.js";
import { ask, busy, deadline, describe, dl, field, fmtDate, h, replace, status } from "../dom.js";
import { label, t } from "../i18n.js";
import { vocabulary, word } from "../vocab.js";
import { pinField } from "../token/ui.js";
import { checkedQuestion } from "../token/oath.js";
import { decidedHere, pendingNow } from "../token/live.js";
import { deviceId, storedToken, transactionCode } from "../token/vault.js";

export async function transactions(main) {
  const [pending] = await Promise.all([get("/transactions"), vocabulary()]);
  pendingNow(pending);
  // "Làm mới" keeps the cards still pending as they are (a code half typed stays typed)
  const kept = new Map([...main.querySelectorAll(":scope > .tx-list > article.tx[data-id]")].map((a) => [a.dataset.id, a]));
  const list = h("div", { class: "tx-list" },
    pending.length ? pending.map((tx) => kept.get(tx.id) ?? txCard(tx)) : h("p", { class: "empty" }, t("noTx")));
  replace(main, h("h1", {}, t("txTitle")),
    h("button", { type: "button", class: "secondary", onclick: () => transactions(main) }, t("refresh")), list);
  const arrived = (e) => {  // a live request: its card appears at once, no reload
    if (!list.isConnected) { window.removeEventListener("kyso:pending", arrived); return; }
    list.querySelector(".empty")?.remove();
    for (const tx of e.detail) {
      if (!list.querySelector(`article[data-id="${CSS.escape(tx.id)}"]`)) list.prepend(txCard(tx));
    }
  };
  window.addEventListener("kyso:pending", arrived);
}

/** One transaction with its confirm/reject form; ``after(tx)`` runs once it is decided. */
export function txCard(tx, after = null) {
  const out = status();
  const slot = h("div", { class: "tx-code" }, h("p", { class: "muted" }, t("loading")));
  const no = h("button", { type: "button", class: "danger", onclick: () => ask(no, t("askRejectTx"), t("rejectTxYes"),
    () => busy(no, out, async () => {
      const done = await post(`/transactions/${encodeURIComponent(tx.id)}/reject`);
      decided(done, t("rejected"));
    })) }, t("tkNotMe"));
  const shown = h("div", { class: "tx-details" });  // the server's words, once loaded
  // the description in the reader's language (the server's); the code binds tx.details as they are
  const words = tx.details.description && tx.description
    ? { ...tx.details, description: tx.description } : tx.details;
  vocabulary().catch(() => null).then(() => replace(shown, details(words, tx.kind)));
  const box = h("article", { class: "card tx", "data-id": tx.id },
    h("h2", {}, label("k_", tx.kind)),
    dl([[t("kind"), label("k_", tx.kind)], [t("method"), t(`m_${tx.method}`)],
      [t("createdAt"), fmtDate(tx.created_at)], [t("expiresAt"), deadline(tx.expires_at, lapsed)]]),
    h("h3", {}, t("details")), shown, out, slot);

  async function confirm(button, code) {
    return busy(button, out, async () => {
      try {
        const done = await post(`/transactions/${encodeURIComponent(tx.id)}/confirm`, { otp: code });
        decided(done, t("confirmed"));
        return true;
      } catch (err) {
        if (!ended(err)) throw err;
        over(err);
        return false;
      }
    });
  }
  /** The time is up as counted here (the server's clock as last heard): the server decides
   *  (the phone's clock may have been changed since). Its answer also resets the count
   *  (X-Kyso-Time): still pending and before its end → the count resumes and asks again when
   *  it runs out; otherwise the form goes, as after a refused code (pending past its end or
   *  marked expired: expired; confirmed, rejected or spent elsewhere: handled). Offline →
   *  asked again every 10 s. */
  let asking = false;
  async function lapsed() {
    if (asking) return;
    asking = true;
    try { await askServer(); } finally { asking = false; }
  }
  async function askServer() {
    const until = new Date(tx.expires_at).getTime();
    while (slot.isConnected && serverMs() >= until) {
      try {
        const now = await get(`/transactions/${encodeURIComponent(tx.id)}`);
        if (!slot.isConnected || (now.status === "pending" && serverMs() < until)) return;
        const handled = !["pending", "expired"].includes(now.status);
        over({ code: handled ? "transaction_closed" : "transaction_expired",
          message: t(handled ? "ux5TxHandled" : "ux5TxExpired") });
        return;
      } catch { /* offline: asked again below */ }
      await new Promise((ok) => setTimeout(ok, 10_000));
    }
  }
  /** Expired, already handled, or the last wrong code: no code can help now, so no form; the
   *  customer is told how to get a new transaction and can put this one away. */
  function over(err) {
    decidedHere(tx.id);
    slot.remove();
    out.show(TOKEN.has(err.code) ? describe(err) : `${describe(err)} ${t("uxTxEnded")}`, "error", err);
    box.dataset.status = "ended";
    const close = h("button", { type: "button", class: "secondary", onclick: () => {
      const list = box.parentElement;
      box.remove();
      if (list?.classList.contains("tx-list") && !list.querySelector("article")) {
        list.append(h("p", { class: "empty" }, t("noTx")));
      }
    } }, t("uxClose"));
    const way = TOKEN.has(err.code) ? h("a", { href: "#smartotp", class: "button-link" }, t("uxToSmartotp")) : null;
    box.append(h("div", { class: "actions" }, way, close));
  }
  function decided(done, text) {
    decidedHere(tx.id);
    slot.remove();
    out.show(text, "ok");
    box.dataset.status = done.status;
    if (after) after(done);
  }
  codeForm(tx, out, confirm, no).then((form) => replace(slot, form));
  return box;
}

const ENDED = new Set(["transaction_expired", "transaction_closed", "locked", "method_locked"]);
const TOKEN = new Set(["locked", "method_locked"]);  // the way on is on the SmartOTP page

function ended(err) {
  return ENDED.has(err?.code) || (err?.code === "invalid_otp" && err.attemptsRemaining === 0);
}

async function localToken() {
  try {
    const record = await storedToken();
    return record ? { record, device: await deviceId() } : null;
  } catch { return null; }
}

async function codeForm(tx, out, confirm, no) {
  const local = tx.method === "smartotp" ? await localToken() : null;
  if (!local) return typedCode(tx, out, confirm, no);
  if (!(await checkedQuestion(tx))) {
    out.show(t("tkMismatch"));
    return h("div", { class: "actions" }, no);
  }
  return tokenCode(tx, local.record, out, confirm, no);
}

/** SMS (or a token on another device): the customer types the code. */
function typedCode(tx, out, confirm, no) {
  const hint = tx.method === "sms" ? t("smsHint") : t("tkElsewhereHint");
  const [codeField, code] = field(t("otp"), { name: "otp", inputmode: "numeric",
    autocomplete: "one-time-code", maxlength: 12, required: true }, hint);
  const ok = h("button", { type: "submit" }, t("confirm"));
  return h("form", { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (!code.value.trim()) { out.show(t("required")); code.focus(); return; }
    confirm(ok, code.value.trim());
  } }, codeField, h("div", { class: "actions" }, ok, no));
}

/** The token here: PIN → the code is computed over these details and filled in. */
function tokenCode(tx, record, out, confirm, no) {
  const [pf, pin] = pinField(t("tkPin"), t("tkTxPinHint"));
  const [cf, code] = field(t("otp"), { name: "otp", readonly: true, class: "otp-filled" });
  cf.hidden = true;
  const make = h("button", { type: "button", onclick: () => busy(make, out, async () => {
    if (!pin.value) { out.show(t("required")); pin.focus(); return; }
    code.value = await transactionCode(record, pin.value, tx);
    pin.value = "";
    pf.hidden = true; make.hidden = true; cf.hidden = false; use.hidden = false;
    use.focus();
  }) }, t("tkMakeCode"));
  const use = h("button", { type: "submit", hidden: true }, t("tkUseCode"));
  return h("form", { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (!code.value) return;
    confirm(use, code.value).then((ok) => {  // a wrong PIN made a wrong code: ask again
      if (!ok) { code.value = ""; pf.hidden = false; make.hidden = false; cf.hidden = true; use.hidden = true; }
    });
  } }, pf, cf, h("div", { class: "actions" }, make, use, no));
}

// What the code is bound to but a customer cannot judge: kyso's own IDs (the file name, its
// SHA-256, the signer and the page say which document and key) and the stamp's coordinates
// (the page is shown; the position was chosen by dragging on the preview).
const INTERNAL = new Set(["credential", "document_id", "document_ids", "stamp_box", "envelope_id",
  "registration"]);  // the registration's UUID: the step's own page says which application

// A document kyso made itself (the contract, the acceptance record) is named by the
// description; its generated file name ("hop-dong-<id>.pdf") says nothing more.
const NAMED_BY_DESCRIPTION = new Set(["onboarding_contract", "onboarding_acceptance"]);

function details(map, kind) {
  const hidden = (k) => INTERNAL.has(k) || (k === "file_name" && NAMED_BY_DESCRIPTION.has(kind));
  return dl(Object.entries(map).filter(([k]) => !hidden(k)).map(([k, v]) => [k === "signature_image" ? t("tx.image") : word("detail_labels", k), shown(k, v)]));
}

function shown(key, value) {
  if (key === "doc_ids") return h("ul", { class: "plain doc-ids" }, value.split("\n").map((id) => h("li", {}, h("code", {}, id))));
  if (key === "signature_image") return t("tx.withImage");  // its SHA-256 means nothing on screen
  return digests(value) ?? value;
}

/** A value made of hex SHA-256 digests, one a line, each maybe after its file's name
 *  ("to-khai.pdf: 3f2a…"): each digest as a fingerprint; anything else: null. (A CSC
 *  request's Base64 digests stay as they are: the application shows them that way.) */
function digests(value) {
  const lines = String(value).split("\n").map((line) => {
    const at = line.lastIndexOf(": ");
    return at < 0 ? [null, line.trim()] : [line.slice(0, at), line.slice(at + 2).trim()];
  });
  const found = lines.map(([name, v]) => [name, hexOf(v)]);
  if (!found.length || found.some(([, hex]) => !hex)) return null;
  if (found.length === 1 && !found[0][0]) return fingerprint(found[0][1]);
  return h("ul", { class: "plain digests" }, found.map(([name, hex]) =>
    h("li", {}, name ? h("span", { class: "digest-file" }, name) : null, fingerprint(hex))));
}

function hexOf(v) {
  return /^[0-9a-f]{64}$/i.test(v) ? v.toLowerCase() : null;
}

/** A file's SHA-256 as a person compares it: the first and last eight characters in groups of
 *  four; the whole value behind "Chi tiết", with a button that copies it. */
export function fingerprint(value) {
  const hex = value.toUpperCase();
  const groups = (s) => s.match(/.{1,4}/g).join(" ");
  const copy = h("button", { type: "button", class: "secondary copy-digest", onclick: () => {
    const done = () => { copy.textContent = t("uxwCopied"); };
    navigator.clipboard?.writeText(value).then(done, () => select(full)) ?? select(full);
  } }, t("uxwCopy"));
  const full = h("code", { class: "digest-full" }, groups(hex));
  return h("div", { class: "fingerprint" },
    h("span", { class: "digest-short" }, `${groups(hex.slice(0, 8))} … ${groups(hex.slice(-8))}`),
    h("details", { class: "digest-more" }, h("summary", {}, t("uxwMore")),
      h("p", { class: "hint" }, t("uxwDigestHint")), full, copy));
}

function select(el) {
  const range = document.createRange();
  range.selectNodeContents(el);
  window.getSelection()?.removeAllRanges();
  window.getSelection()?.addRange(range);
}
