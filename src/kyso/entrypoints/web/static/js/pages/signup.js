// Sign-up before login: name, phone, email, password, account PIN; then the two codes sent
// to the phone and the email (docs/WEB.md). The server never says whether a phone or email
// is registered already: a code that does not come is the only sign, and its owner is told.
import { api, serverMs } from "../api.js";
import { busy, coolDown, field, h, replace, status } from "../dom.js";
import { lang, t } from "../i18n.js";

const PIN = /^\d{6}$/;

// The codes step survives a reload (a phone drops a tab left in the background while the
// customer reads the SMS): the pending sign-up and the name, phone and email are kept in
// this tab until the codes expire; no password or PIN is kept.
const KEPT = "kyso.signup";

function keep(pending, typed) {
  const { full_name, phone, email } = typed;
  sessionStorage.setItem(KEPT, JSON.stringify({ pending, typed: { full_name, phone, email } }));
}

function kept() {
  try {
    const k = JSON.parse(sessionStorage.getItem(KEPT) || "null");
    return k && Date.parse(k.pending?.expires_at) > serverMs() ? k : null;
  } catch { return null; }
}

const forget = () => sessionStorage.removeItem(KEPT);

export async function signup(main, ctx) {
  const resume = kept();
  if (resume) return codes(main, ctx, resume.pending, resume.typed);
  forget();
  return replace(main, h("h1", {}, t("suTitle")), form(main, ctx));
}

/** ``typed``: what the person typed before (back from the codes step to correct a mistyped
 *  phone or email), kept in the fields; the newer sign-up releases the older, unproven one. */
function form(main, ctx, typed = null) {
  const out = status();
  const f = (key, attrs, hint) => field(t(key), { name: key, required: true, ...attrs }, hint);
  const fields = {
    full_name: f("fullName", { autocomplete: "name", maxlength: 200 }),
    phone: f("phone", { type: "tel", autocomplete: "tel", inputmode: "tel" }),
    email: f("email", { type: "email", autocomplete: "email" }),
    password: f("password", { type: "password", autocomplete: "new-password" }, t("suPasswordHint")),
    pin: f("suPin", { type: "password", inputmode: "numeric", maxlength: 6, autocomplete: "off" }, t("suPinHint")),
  };
  const [againWrap, again] = field(t("suPinAgain"), { type: "password", inputmode: "numeric", maxlength: 6, autocomplete: "off" });
  const button = h("button", { type: "submit" }, t("suSubmit"));
  const inputs = Object.values(fields).map(([, i]) => i);
  if (typed) {
    for (const [k, [, i]] of Object.entries(fields)) i.value = typed[k] ?? "";
    again.value = typed.pin ?? "";
  }
  const fail = (input, text) => { out.show(text); input.setAttribute("aria-invalid", "true"); input.focus(); };
  return h("form", { class: "card narrow", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    inputs.concat(again).forEach((i) => i.removeAttribute("aria-invalid"));
    const empty = inputs.concat(again).find((i) => !i.value.trim());
    if (empty) return fail(empty, t("required"));
    if (!PIN.test(fields.pin[1].value)) return fail(fields.pin[1], t("suPinHint"));
    if (again.value !== fields.pin[1].value) return fail(again, t("suPinMismatch"));
    const json = Object.fromEntries(Object.entries(fields).map(([k, [, i]]) =>
      [k, k === "password" || k === "pin" ? i.value : i.value.trim()]));
    return busy(button, out, async () => {
      button.textContent = t("working");
      try {
        // the codes, and every later email and SMS, in the language chosen here
        const pending = { ...await api("POST", "/signup", { json: { ...json, locale: lang() } }),
          sent_at: Date.now() };
        keep(pending, json);
        codes(main, ctx, pending, json);
      } finally { button.textContent = t("suSubmit"); }
    });
  } }, out, Object.values(fields).map(([wrap]) => wrap), againWrap, button,
  h("p", { class: "links" }, h("a", { href: "#" }, t("suHaveAccount"))));
}

function codes(main, ctx, pending, typed) {
  const out = status();
  const [phoneWrap, phone] = field(t("suPhoneCode", { to: pending.phone }),
    { inputmode: "numeric", maxlength: 6, autocomplete: "one-time-code" });
  const [mailWrap, mail] = field(t("suEmailCode", { to: pending.email }),
    { inputmode: "numeric", maxlength: 6, autocomplete: "off" });
  const button = h("button", { type: "submit" }, t("suVerify"));
  // each button waits out the server's cool-down, counted down on it (a tap too early would
  // only be refused); after a reload the codes were sent a while ago: no wait is shown
  const resend = (channel, label) => {
    const b = h("button", { type: "button", class: "secondary", id: `signup-resend-${channel}`, onclick: async () => {
      const sent = await busy(b, out, () => api("POST", `/signup/${encodeURIComponent(pending.id)}/resend`, { json: { channel } }));
      if (!sent) return;
      if (kept()) keep({ ...pending, expires_at: sent.expires_at }, typed);
      out.show(t("suResent"), "info");
      coolDown(b, sent.resend_after, t(label));
    } }, t(label));
    return b;
  };
  const buttons = [resend("sms", "suResendSms"), resend("email", "suResendEmail")];
  replace(main, h("h1", {}, t("suCodesTitle")), h("form", { class: "card narrow", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const empty = [phone, mail].find((i) => !/^\d{6}$/.test(i.value.trim()));
    if (empty) { out.show(t("suCodeFormat")); empty.focus(); return; }
    busy(button, out, async () => {
      button.textContent = t("working");
      try {
        await api("POST", `/signup/${encodeURIComponent(pending.id)}/verify`,
          { json: { phone_code: phone.value.trim(), email_code: mail.value.trim() } });
        forget();
        // after a reload the password is not known here: the login page, with the news
        if (!typed.password) { ctx.toLogin(t("ux3SignupActive")); return; }
        const done = await api("POST", "/auth/login", { json: { login: typed.phone, password: typed.password } });
        ctx.signedIn(done);
      } finally { button.textContent = t("suVerify"); }
    });
  } }, h("p", { class: "status info" }, t("suCodesSent", { phone: pending.phone, email: pending.email })),
  out, phoneWrap, mailWrap, button,
  h("div", { class: "actions" }, ...buttons),
  h("p", { class: "hint" }, t("suNoCode")),
  h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", id: "signup-edit", onclick: () => {
    forget();
    replace(main, h("h1", {}, t("suTitle")), form(main, ctx, typed));
    main.querySelector('input[name="phone"]')?.focus();
  } }, t("ux3EditContact")))));
  // both codes went when the form was sent (kept across a reload with the time they went)
  const waited = pending.sent_at ? (Date.now() - pending.sent_at) / 1000 : Infinity;
  buttons.forEach((b, i) => coolDown(b, (pending.resend_after || 0) - waited,
    t(i ? "suResendEmail" : "suResendSms")));
  phone.focus();
}

