// Account: details, password, sessions, contact change (a transaction).
import { api, clearSession, get, post } from "../api.js";
import { busy, card, dl, field, fmtDate, h, replace, status, table } from "../dom.js";
import { t } from "../i18n.js";
import { holderCard } from "./holder.js";
import { pinCards } from "./recovery.js";
import { txCard } from "./transactions.js";

export async function account(main, { rerender }) {
  const [me, sessions, holder] = await Promise.all([get("/me"), get("/me/sessions"), holderCard()]);
  replace(main, h("h1", {}, t("accountTitle")),
    card(t("accountTitle"), dl([[t("fullName"), me.full_name], [t("phone"), me.phone],
      [t("email"), me.email], ...logins(me)])),
    holder,  // a lost phone: suspending the certificate comes first, not below four forms
    h("div", { class: "grid" }, passwordForm(), contactForm(), ...pinCards()),
    card(t("sessions"), sessionsTable(main, sessions, rerender)));
}

/** How the customer logs in: the phone or email first; a login code kyso generated at sign-up
 * ("kh-…") is shown as what it is, not as a name they chose. */
function logins(me) {
  if (!me.username.startsWith("kh-")) return [[t("username"), me.username]];
  return [[t("plLoginWith"), t("plLoginWithValue")],
    [t("plLoginCode"), h("span", { id: "login-code" }, h("code", {}, me.username), " ",
      h("small", { class: "muted" }, t("plLoginCodeHint")))]];
}

function passwordForm() {
  const out = status();
  const [oldField, old] = field(t("oldPassword"), { type: "password", autocomplete: "current-password" });
  const [newField, neu] = field(t("newPassword"), { type: "password", autocomplete: "new-password" }, t("suPasswordHint"));
  // typed twice, as at sign-up and in the forgotten password: a typo here would lock the
  // customer out of the next login
  const [againField, again] = field(t("fpPasswordAgain"), { type: "password", autocomplete: "new-password" });
  const button = h("button", { type: "submit" }, t("save"));
  return h("form", { class: "card", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    [old, neu, again].forEach((i) => i.removeAttribute("aria-invalid"));
    const empty = [old, neu, again].find((i) => !i.value);
    if (empty) { out.show(t("required")); empty.setAttribute("aria-invalid", "true"); empty.focus(); return; }
    if (again.value !== neu.value) { out.show(t("fpPasswordMismatch")); again.setAttribute("aria-invalid", "true"); again.focus(); return; }
    busy(button, out, async () => {
      await post("/me/password", { old_password: old.value, new_password: neu.value });
      old.value = ""; neu.value = ""; again.value = "";
      out.show(t("passwordChanged"), "ok");
    });
  } }, h("h2", {}, t("changePassword")), out, oldField, newField, againField, button);
}

function contactForm() {
  const out = status();
  const flow = h("div");
  const [phoneField, phone] = field(t("newPhone"), { type: "tel", autocomplete: "tel" });
  const [mailField, mail] = field(t("newEmail"), { type: "email", autocomplete: "email" });
  const button = h("button", { type: "submit" }, t("request"));
  return h("form", { class: "card", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (!phone.value.trim() && !mail.value.trim()) { out.show(t("needContact")); phone.focus(); return; }
    busy(button, out, async () => {
      const tx = await post("/me/contact-change", { phone: phone.value.trim() || null,
        email: mail.value.trim() || null });
      out.show(t("txCreated"), "ok");
      replace(flow, txCard(tx));
    });
  } }, h("h2", {}, t("contactChange")), out, phoneField, mailField, button, flow);
}

function sessionsTable(main, sessions, rerender) {
  return table([t("device"), t("createdAt"), t("lastSeen"), "IP", ""], sessions.map((s) => {
    const button = h("button", { type: "button", class: "secondary", onclick: () => busy(button, null, async () => {
      await api("DELETE", `/me/sessions/${encodeURIComponent(s.id)}`);
      if (s.current) { clearSession(); rerender(); } else account(main, { rerender });
    }) }, s.current ? t("logout") : t("revoke"));
    const where = [s.browser, s.system].filter(Boolean).join(" · ") || t("unknownDevice");
    return [where, fmtDate(s.created_at), fmtDate(s.last_seen_at), s.ip || "—",
      h("span", {}, s.current ? h("span", { class: "badge" }, t("thisSession")) : null, button)];
  }));
}
