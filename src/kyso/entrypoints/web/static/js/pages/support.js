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

function customer(who, refresh) {
  const out = status();
  const methods = Object.entries(who.methods).map(([m, s]) => [t(`m_${m}`),
    h("span", { "data-method": m }, s.locked
      ? [h("span", { class: "badge warn" }, t("lockedMethod")), ` ${s.reason || ""} · ${fmtDate(s.locked_at)}`]
      : h("span", { class: "badge st-active" }, t("st_active")))]);
  const [methodField, method] = field(t("method"), { tag: "select", name: "method",
    options: Object.keys(who.methods).map((m) => h("option", { value: m }, t(`m_${m}`))) });
  const [reasonField, reason] = field(t("reasonField"), { tag: "textarea", name: "reason", maxlength: 500 });
  const act = (verb) => {
    const button = h("button", { type: "button", class: verb === "lock" ? "danger" : "", onclick: () => {
      if (reason.value.trim().length < 3) { out.show(t("required")); reason.focus(); return; }
      busy(button, out, async () => {
        const path = `/support/accounts/${encodeURIComponent(who.id)}/otp-methods/${method.value}/${verb}`;
        await api("POST", path, { json: { reason: reason.value.trim() } });
        await refresh();
        document.getElementById("customer")?.prepend(h("p", { class: "status ok", role: "status" }, t("done")));
      });
    } }, t(verb));
    return button;
  };
  return card(who.full_name, dl([[t("username"), who.username], [t("phone"), who.phone],
    [t("email"), who.email], [t("accountId"), h("code", {}, who.id)], [t("status"), who.status],
    [t("otpMethod"), t(`m_${who.otp_method}`)], ...methods]),
  h("form", { novalidate: true, onsubmit: (e) => e.preventDefault() }, out, methodField, reasonField,
    h("div", { class: "actions" }, act("lock"), act("unlock"))));
}
