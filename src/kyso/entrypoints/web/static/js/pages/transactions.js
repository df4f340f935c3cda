// Pending confirmations: every detail, a code the customer types, confirm or reject.
import { get, post } from "../api.js";
import { ask, busy, dl, field, fmtDate, h, replace, status } from "../dom.js";
import { label, t } from "../i18n.js";

export async function transactions(main) {
  const pending = await get("/transactions");
  replace(main, h("h1", {}, t("txTitle")),
    h("button", { type: "button", class: "secondary", onclick: () => transactions(main) }, t("refresh")),
    pending.length ? pending.map((tx) => txCard(tx)) : h("p", { class: "empty" }, t("noTx")));
}

/** One transaction with its confirm/reject form; ``after(tx)`` runs once it is decided. */
export function txCard(tx, after = null) {
  const out = status();
  const hint = tx.method === "sms" ? t("smsHint") : t("smartotpHint");
  const [codeField, code] = field(t("otp"), { name: "otp", inputmode: "numeric",
    autocomplete: "one-time-code", maxlength: 12, required: true }, hint);
  const ok = h("button", { type: "submit" }, t("confirm"));
  const no = h("button", { type: "button", class: "danger", onclick: () => ask(no, t("askRejectTx"), t("rejectTxYes"),
    () => busy(no, out, async () => {
      const done = await post(`/transactions/${encodeURIComponent(tx.id)}/reject`);
      decided(done, t("rejected"));
    })) }, t("reject"));
  const form = h("form", { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (!code.value.trim()) { out.show(t("required")); code.focus(); return; }
    busy(ok, out, async () => {
      const done = await post(`/transactions/${encodeURIComponent(tx.id)}/confirm`, { otp: code.value.trim() });
      decided(done, t("confirmed"));
    });
  } }, codeField, h("div", { class: "actions" }, ok, no));
  const box = h("article", { class: "card tx", "data-id": tx.id },
    h("h2", {}, label("k_", tx.kind)),
    dl([[t("kind"), label("k_", tx.kind)], [t("method"), t(`m_${tx.method}`)], [t("createdAt"), fmtDate(tx.created_at)],
      [t("expiresAt"), fmtDate(tx.expires_at)],
      tx.question ? [t("question"), h("code", { class: "question" }, tx.question)] : null]),
    h("h3", {}, t("details")), details(tx.details), out, form);

  function decided(done, text) {
    form.remove();
    out.show(text, "ok");
    box.dataset.status = done.status;
    if (after) after(done);
  }
  return box;
}

function details(map) {
  return dl(Object.entries(map).map(([k, v]) => [label("d_", k), k === "doc_ids"
    ? h("ul", { class: "plain doc-ids" }, v.split("\n").map((id) => h("li", {}, h("code", {}, id))))
    : v]));
}
