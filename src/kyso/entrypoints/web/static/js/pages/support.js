// Support desk: lock or unlock a customer's OTP method, with a reason.
import { api } from "../api.js";
import { busy, field, h, replace, status } from "../dom.js";
import { t } from "../i18n.js";

export function support(main) {
  const out = status();
  const [idField, id] = field(t("accountId"), { name: "account", required: true }, t("supportHint"));
  const [methodField, method] = field(t("method"), { tag: "select", name: "method",
    options: [h("option", { value: "smartotp" }, t("m_smartotp")), h("option", { value: "sms" }, t("m_sms"))] });
  const [reasonField, reason] = field(t("reasonField"), { tag: "textarea", name: "reason", maxlength: 500 });
  const act = (verb) => {
    const button = h("button", { type: "button", class: verb === "lock" ? "danger" : "", onclick: () => {
      if (!id.value.trim()) { out.show(t("required")); id.focus(); return; }
      if (reason.value.trim().length < 3) { out.show(t("required")); reason.focus(); return; }
      busy(button, out, async () => {
        const path = `/support/accounts/${encodeURIComponent(id.value.trim())}/otp-methods/${method.value}/${verb}`;
        await api("POST", path, { json: { reason: reason.value.trim() } });
        out.show(t("done"), "ok");
      });
    } }, t(verb));
    return button;
  };
  replace(main, h("h1", {}, t("support")), h("form", { class: "card narrow", novalidate: true,
    onsubmit: (e) => e.preventDefault() }, out, idField, methodField, reasonField,
  h("div", { class: "actions" }, act("lock"), act("unlock"))));
}
