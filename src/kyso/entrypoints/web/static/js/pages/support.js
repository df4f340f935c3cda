// Support desk: find a customer, see their OTP methods, lock or unlock one with a reason.
import { api, get } from "../api.js";
import { busy, card, dl, field, fmtDate, h, replace, status } from "../dom.js";
import { t } from "../i18n.js";

export function support(main) {
  const out = status();
  const found = h("div", { id: "customer" });
  const [loginField, login] = field(t("findLogin"), { name: "login", type: "search", required: true },
    t("supportHint"));
  const button = h("button", { type: "submit" }, t("find"));
  const lookup = () => busy(button, out, async () => {
    replace(found);
    const who = await get(`/support/accounts?login=${encodeURIComponent(login.value.trim())}`);
    replace(found, customer(who, lookup));
  });
  replace(main, h("h1", {}, t("support")), h("form", { class: "card narrow", role: "search",
    novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      if (!login.value.trim()) { out.show(t("required")); login.focus(); return; }
      lookup();
    } }, out, loginField, button), found);
}

// One row per OTP method with the one action its state allows (lock a working method, unlock
// a locked one): no selector to fall back to its first option after a refresh, so the method
// acted on is always the one on the row, and the message names it.
function customer(who, refresh) {
  const out = status();
  const [reasonField, reason] = field(t("reasonField"), { tag: "textarea", name: "reason", maxlength: 500 },
    t("reasonHint"));
  const act = (m, s) => {
    const verb = s.locked ? "unlock" : "lock";
    const button = h("button", { type: "button", class: verb === "lock" ? "danger" : "secondary",
      "data-action": `${verb}-${m}`, onclick: () => {
        if (reason.value.trim().length < 3) { out.show(t("reasonTooShort")); reason.focus(); return; }
        busy(button, out, async () => {
          const path = `/support/accounts/${encodeURIComponent(who.id)}/otp-methods/${m}/${verb}`;
          await api("POST", path, { json: { reason: reason.value.trim() } });
          await refresh();
          document.getElementById("customer")?.prepend(h("p", { class: "status ok", role: "status" },
            t(verb === "lock" ? "lockedDone" : "unlockedDone", { method: t(`m_${m}`) })));
        });
      } }, `${t(verb)} ${t(`m_${m}`)}`);
    return button;
  };
  const methods = Object.entries(who.methods).map(([m, s]) => [t(`m_${m}`),
    h("span", { "data-method": m }, s.locked
      ? [h("span", { class: "badge warn" }, t("lockedMethod")), ` ${s.reason || ""} · ${fmtDate(s.locked_at)}`]
      : h("span", { class: "badge st-active" }, t("st_active")))]);
  return card(who.full_name, dl([[t("username"), who.username], [t("phone"), who.phone],
    [t("email"), who.email], [t("accountId"), h("code", {}, who.id)], [t("status"), t(`as_${who.status}`)],
    [t("otpMethod"), t(`m_${who.otp_method}`)], ...methods]),
  h("form", { novalidate: true, onsubmit: (e) => e.preventDefault() }, out, reasonField,
    h("div", { class: "actions" }, Object.entries(who.methods).map(([m, s]) => act(m, s)))));
}
