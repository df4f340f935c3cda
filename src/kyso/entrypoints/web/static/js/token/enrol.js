// Đăng ký SmartOTP and Quên PIN SmartOTP in the browser, step by step as in the guide and as
// `kyso app smartotp-register` / `forgot-pin` drive the same API (app/enrol.py).
import { get, post, serverMs, session } from "../api.js";
import { busy, coolDown, field, h, replace, status } from "../dom.js";
import { lang, t } from "../i18n.js";
import { base32Decode } from "./oath.js";
import { newPinProblem, pinField } from "./ui.js";
import { deviceId, forgetToken, saveClock, saveToken } from "./vault.js";

function step(title, ...children) {
  return h("section", { class: "card step" }, h("h2", {}, title), ...children);
}

function form(button, out, onsubmit, ...children) {
  return h("form", { novalidate: true, onsubmit: (e) => { e.preventDefault(); onsubmit(); } },
    out, ...children, h("div", { class: "actions" }, button));
}

/** Account PIN → SMS code: the PIN is checked by the server before the SMS is sent. Calls
 * ``done(pin, otp)`` once both are given. */
export function pinAndSms(flow, purpose, done) {
  const out = status();
  const [pf, pin] = field(t("tkAccountPin"), { type: "password", inputmode: "numeric",
    autocomplete: "off", maxlength: 12 }, t("tkAccountPinHint"));
  const send = h("button", { type: "submit" }, t("tkSendSms"));
  const ask = form(send, out, () => {
    if (!pin.value) { out.show(t("required")); pin.focus(); return; }
    busy(send, out, async () => {
      const sent = await post("/otp/send", { purpose, pin: pin.value });
      smsCode(sent, pin.value);
    });
  }, pf);
  function smsCode(sent, accountPin) {
    const out2 = status();
    const [cf, code] = field(t("tkSmsCode"), { inputmode: "numeric", autocomplete: "one-time-code",
      maxlength: 8 }, t("tkSmsSent", { to: sent.destination }));
    const next = h("button", { type: "submit" }, t("tkContinue"));
    // "Gửi lại OTP" (the guide's Quên PIN screen): a lost, late or expired SMS is no dead end
    const resend = h("button", { type: "button", class: "secondary", id: "sms-resend", onclick: async () => {
      const again = await busy(resend, out2, () => post("/otp/send", { purpose, pin: accountPin }));
      if (!again) return;
      out2.show(t("uxSmsResent", { to: again.destination }), "ok");
      code.value = "";
      code.focus();
      coolDown(resend, again.resend_after, t("uxResendSms"));
    } }, t("uxResendSms"));
    const sms = form(next, out2, () => {
      if (!code.value.trim()) { out2.show(t("required")); code.focus(); return; }
      busy(next, out2, () => done(accountPin, code.value.trim()));
    }, cf);
    sms.querySelector(".actions").append(resend);
    replace(flow, step(t("tkSmsTitle"), sms));
    coolDown(resend, sent.resend_after, t("uxResendSms"));
    code.focus();
  }
  replace(flow, step(t("tkAccountPinTitle"), ask));
  pin.focus();
}

// Where this tab's registration stands, so a reload resumes it instead of starting again at
// the terms: {account, step: "pin" | "activate", terms_version, reg}. No secret is kept (the
// account PIN is asked again); the activation code's deadline bounds it.
const ENROL = "kyso.smartotp.enrol";

function keepEnrol(value) {
  if (value) sessionStorage.setItem(ENROL, JSON.stringify({ account: session()?.account?.id, ...value }));
  else sessionStorage.removeItem(ENROL);
}

/** The registration this tab left half done for the account logged in, or null. */
export function enrolState() {
  let kept = null;
  try { kept = JSON.parse(sessionStorage.getItem(ENROL) || "null"); } catch { kept = null; }
  if (!kept || kept.account !== session()?.account?.id) return null;
  if (kept.step === "activate" && !(Date.parse(kept.reg?.activation_expires_at) > serverMs())) return null;
  return kept;
}

export function forgetEnrol() { keepEnrol(null); }

/** Đăng ký SmartOTP: terms → account PIN + SMS → activation code + SmartOTP PIN → done.
 *  ``resume`` (from enrolState) continues a registration this tab began before a reload. */
export async function register(flow, finished, resume = null) {
  if (resume?.step === "activate") { activate(flow, resume.reg, finished); return; }
  if (resume?.step === "pin") { accountProof(flow, resume.terms_version, finished); return; }
  keepEnrol(null);
  const terms = await get("/smartotp/terms");
  const out = status();
  const agree = h("input", { type: "checkbox", id: "tk-agree" });
  const next = h("button", { type: "submit" }, t("tkContinue"));
  replace(flow, step(t("tkTermsTitle"),
    h("div", { class: "terms", tabindex: 0 }, lang() === "en" ? terms.text_en : terms.text_vi),
    form(next, out, () => {
      if (!agree.checked) { out.show(t("tkMustAgree")); agree.focus(); return; }
      accountProof(flow, terms.version, finished);
    }, h("div", { class: "check" }, agree, h("label", { for: "tk-agree" }, t("tkAgree"))))));
}

function accountProof(flow, termsVersion, finished) {
  keepEnrol({ step: "pin", terms_version: termsVersion });
  pinAndSms(flow, "SMARTOTP_REGISTER", async (pin, otp) => {
    const reg = await post("/smartotp/registrations", { terms_version: termsVersion, pin, otp });
    keepEnrol({ step: "activate", terms_version: termsVersion, reg });
    activate(flow, reg, finished);
  });
}

function activate(flow, reg, finished) {
  const out = status();
  const [af, code] = field(t("tkActivation"), { inputmode: "numeric", autocomplete: "one-time-code",
    maxlength: 8 }, t("tkActivationHint", { to: reg.destination }));
  const [nf, name] = field(t("tkDeviceName"), { maxlength: 100, value: t("tkDefaultDevice") });
  const [pf, pin] = pinField(t("tkNewPin"), t("tkPinRule"));
  const [qf, again] = pinField(t("tkNewPinAgain"));
  const done = h("button", { type: "submit" }, t("tkActivate"));
  replace(flow, step(t("tkActivationTitle"), form(done, out, () => {
    if (!code.value.trim()) { out.show(t("required")); code.focus(); return; }
    const problem = newPinProblem(pin.value, again.value);
    if (problem) { out.show(problem); pin.focus(); return; }
    busy(done, out, async () => {
      const before = Date.now();
      const a = await post("/smartotp/activate", { activation_code: code.value.trim(),
        device_id: await deviceId(), device_name: name.value.trim() || t("tkDefaultDevice") });
      const after = Date.now();
      const seed = base32Decode(a.seed_b32);
      await saveToken(a, seed, pin.value, { device_name: name.value.trim() });
      seed.fill(0);
      await saveClock(Date.parse(a.server_time) / 1000 - (before + after) / 2000);
      keepEnrol(null);
      pin.value = ""; again.value = "";
      registered(flow, finished);
    });
  }, af, nf, pf, qf)));
  code.focus();
}

function registered(flow, finished) {
  const ok = h("button", { type: "button", onclick: finished }, t("tkFinish"));
  replace(flow, step(t("tkRegisteredTitle"),
    h("p", { class: "status ok", role: "status" }, t("tkRegistered")), ok));
  ok.focus();
}

/** Quên PIN SmartOTP: account PIN + SMS code; the token is revoked and wiped; register again.
 *  ``finished()`` redraws the page (a promise); the last step then shows in its new flow. */
export function forgotPin(flow, finished) {
  pinAndSms(flow, "PIN_RESET", async (pin, otp) => {
    await post("/smartotp/reset", { pin, otp });
    await forgetToken();
    await finished();  // the page says the token is gone (status, holder, actions)
    const here = document.getElementById(flow.id) || flow;
    const again = h("button", { type: "button", onclick: () => register(here, finished) },
      t("tkRegisterAgain"));
    replace(here, step(t("tkResetTitle"), h("p", { class: "status ok", role: "status" },
      t("tkResetDone")), h("div", { class: "actions" }, again,
      h("button", { type: "button", class: "secondary", onclick: finished }, t("tkLater")))));
  });
}
