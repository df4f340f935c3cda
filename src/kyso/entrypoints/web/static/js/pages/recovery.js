// Recovery (docs/ACCOUNTS.md): the forgotten password before login (a code to the phone or
// the email, then the code, the account PIN and a new password), and in the account page the
// account-PIN change and the forgotten account PIN.
import { api, post } from "../api.js";
import { supportLine } from "../contact.js";
import { busy, field, h, replace, status } from "../dom.js";
import { t } from "../i18n.js";

const SIX = /^\d{6}$/;

export function check(out, rules) {
  for (const [input, ok, text] of rules) {
    input.removeAttribute("aria-invalid");
    if (!ok) { out.show(text); input.setAttribute("aria-invalid", "true"); input.focus(); return false; }
  }
  return true;
}

// The code step survives a reload (the tab dropped while the customer reads the SMS): the
// login and the channel are kept in this tab for the code's five minutes; no secret is kept.
const KEPT = "kyso.forgot";
const CODE_MS = 5 * 60 * 1000;

function kept() {
  try {
    const k = JSON.parse(sessionStorage.getItem(KEPT) || "null");
    return k && k.until > Date.now() ? k : null;
  } catch { return null; }
}

const keep = (login, by) => sessionStorage.setItem(KEPT, JSON.stringify({ login, by, until: Date.now() + CODE_MS }));
const forget = () => sessionStorage.removeItem(KEPT);

export async function forgot(main, ctx) {
  const resume = kept();
  if (resume) { resetForm(main, ctx, resume.login, resume.by); return; }
  askCode(main, ctx);
}

function askCode(main, ctx) {
  const out = status();
  const [loginWrap, login] = field(t("login"), { autocomplete: "username" });
  const channel = h("fieldset", { class: "choice" }, h("legend", {}, t("fpChannel")),
    ["sms", "email"].map((v) => h("label", { class: "check" }, h("input", { type: "radio", name: "channel",
      value: v, checked: v === "sms" }), t(v === "sms" ? "fpBySms" : "fpByEmail"))));
  const button = h("button", { type: "submit" }, t("fpSend"));
  replace(main, h("h1", {}, t("fpTitle")), h("form", { class: "card narrow", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (!check(out, [[login, login.value.trim(), t("required")]])) return;
    const by = channel.querySelector("input:checked").value;
    busy(button, out, async () => {
      button.textContent = t("working");
      try {
        await api("POST", "/recovery/password/code", { json: { login: login.value.trim(), channel: by } });
        keep(login.value.trim(), by);
        resetForm(main, ctx, login.value.trim(), by);
      } finally { button.textContent = t("fpSend"); }
    });
  } }, h("p", { class: "hint" }, t("fpIntro")), out, loginWrap, channel, button,
  h("p", { class: "links" }, h("a", { href: "#identity", id: "both-lost" }, t("idLink")),
    h("a", { href: "#" }, t("suHaveAccount")))), supportLine());
  login.focus();
}

function resetForm(main, ctx, login, by) {
  const out = status();
  const [codeWrap, code] = field(t("fpCode"), { inputmode: "numeric", maxlength: 6, autocomplete: "one-time-code" });
  const [pinWrap, pin] = field(t("fpPin"), { type: "password", inputmode: "numeric", maxlength: 6, autocomplete: "off" });
  const [pwWrap, pw] = field(t("newPassword"), { type: "password", autocomplete: "new-password" }, t("suPasswordHint"));
  const [againWrap, again] = field(t("fpPasswordAgain"), { type: "password", autocomplete: "new-password" });
  const button = h("button", { type: "submit" }, t("fpReset"));
  // a code that did not come: sent again from here (a reload keeps this step)
  const resend = h("button", { type: "button", class: "secondary", id: "fp-resend", onclick: () => busy(resend, out, async () => {
    await api("POST", "/recovery/password/code", { json: { login, channel: by } });
    keep(login, by);
    out.show(t("suResent"), "ok");
  }) }, t("ux3ResendCode"));
  replace(main, h("h1", {}, t("fpTitle")), h("form", { class: "card narrow", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (!check(out, [[code, SIX.test(code.value.trim()), t("suCodeFormat")], [pin, SIX.test(pin.value), t("suPinHint")],
      [pw, pw.value, t("required")], [again, again.value === pw.value, t("fpPasswordMismatch")]])) return;
    busy(button, out, async () => {
      button.textContent = t("working");
      try {
        await api("POST", "/recovery/password", { json: { login, code: code.value.trim(), pin: pin.value, new_password: pw.value } });
        forget();
        ctx.toLogin(t("fpDone"));
      } finally { button.textContent = t("fpReset"); }
    });
  } }, h("p", { class: "status info" }, t(by === "sms" ? "fpSentSms" : "fpSentEmail")), out,
  codeWrap, pinWrap, pwWrap, againWrap, button,
  h("div", { class: "actions" }, resend, h("button", { type: "button", class: "secondary", id: "fp-start-over",
    onclick: () => { forget(); askCode(main, ctx); } }, t("ux3StartOver"))),
  h("p", { class: "links" }, h("a", { href: "#identity" }, t("idLink")))), supportLine());
  code.focus();
}

/** The account page's two cards: change the account PIN, and reset a forgotten one. */
export function pinCards() {
  return [pinForm("pcTitle", "PIN_CHANGE", [["pcOld", "old_pin", "pin"]], "/me/pin", "pcDone", "pcSave"),
    pinForm("prTitle", "ACCOUNT_PIN_RESET", [["password", "password", "password"]], "/me/pin/reset", "prDone", "prSave")];
}

function pinForm(title, purpose, secrets, path, doneKey, saveKey) {
  const out = status();
  const inputs = secrets.map(([label, name, kind]) => [name, kind, ...field(t(label), kind === "pin"
    ? { type: "password", inputmode: "numeric", maxlength: 6, autocomplete: "off" }
    : { type: "password", autocomplete: "current-password" })]);
  const [newWrap, neu] = field(t("pcNew"), { type: "password", inputmode: "numeric", maxlength: 6, autocomplete: "off" }, t("suPinHint"));
  const [codeWrap, code] = field(t("pcCode"), { inputmode: "numeric", maxlength: 6, autocomplete: "one-time-code" });
  const send = h("button", { type: "button", class: "secondary", onclick: () => busy(send, out, async () => {
    const sent = await post("/otp/send", { purpose });
    out.show(t("pcSent", { to: sent.destination }), "info");
  }) }, t("pcSend"));
  const button = h("button", { type: "submit" }, t(saveKey));
  return h("form", { class: "card", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const rules = inputs.map(([, kind, , input]) => [input, kind === "pin" ? SIX.test(input.value) : input.value, t("required")]);
    if (!check(out, [...rules, [neu, SIX.test(neu.value), t("suPinHint")], [code, SIX.test(code.value.trim()), t("suCodeFormat")]])) return;
    const json = Object.fromEntries(inputs.map(([name, , , input]) => [name, input.value]));
    json.new_pin = neu.value;
    json.otp = code.value.trim();
    busy(button, out, async () => {
      await post(path, json);
      [...inputs.map(([, , , i]) => i), neu, code].forEach((i) => { i.value = ""; });
      out.show(t(doneKey), "ok");
    });
  } }, h("h2", {}, t(title)), out, inputs.map(([, , wrap]) => wrap), newWrap, send, codeWrap, button);
}
