// Both the password and the account PIN lost (docs/ACCOUNTS.md): the registered phone proven
// by an SMS code, the ID card and a portrait sent (eKYC's rules, checked here first), an
// officer's decision, then the recovery code with a new password and account PIN. The case
// and its token live in this tab's sessionStorage (never in a URL), so a reload continues.
import { api, post } from "../api.js";
import { supportLine } from "../contact.js";
import { busy, field, fmtDate, h, replace, status } from "../dom.js";
import { lang, t } from "../i18n.js";
import { RULES, chooser } from "./images.js";
import { check } from "./recovery.js";

const BASE = "/recovery/identity";
const KEY = "kyso.recovery";
const SIX = /^\d{6}$/;
const EIGHT = /^\d{8}$/;

const saved = () => { try { return JSON.parse(sessionStorage.getItem(KEY)); } catch { return null; } };
const keep = (value) => (value ? sessionStorage.setItem(KEY, JSON.stringify(value)) : sessionStorage.removeItem(KEY));
const withToken = (c) => ({ headers: { "X-Recovery-Token": c.token } });

export async function identity(main, ctx) {
  const c = saved();
  if (c?.token) {
    try { return await progress(main, ctx, c, await api("GET", `${BASE}/${encodeURIComponent(c.id)}`, withToken(c))); }
    catch { keep(null); }  // gone or ended: start again
  }
  return start(main, ctx);
}

function page(main, ...children) {
  replace(main, h("h1", {}, t("idTitle")), ...children, supportLine());
}

function start(main, ctx) {
  const out = status();
  const [loginWrap, login] = field(t("login"), { autocomplete: "username" });
  const button = h("button", { type: "submit" }, t("idSend"));
  page(main, h("form", { class: "card narrow", id: "identity-start", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (!check(out, [[login, login.value.trim(), t("required")]])) return;
    busy(button, out, async () => {
      button.textContent = t("working");
      try {
        const opened = await post(BASE, { login: login.value.trim() });
        phone(main, ctx, opened.id);
      } finally { button.textContent = t("idSend"); }
    });
  } }, h("p", { class: "hint" }, t("idIntro")), out, loginWrap, button,
  h("p", { class: "links" }, h("button", { type: "button", class: "link", id: "have-code",
    onclick: () => complete(main, ctx) }, t("idHaveCode")), h("a", { href: "#" }, t("suHaveAccount")))));
  login.focus();
}

function phone(main, ctx, id) {
  const out = status();
  const [codeWrap, code] = field(t("idPhoneCode"), { inputmode: "numeric", maxlength: 6, autocomplete: "one-time-code" });
  const button = h("button", { type: "submit" }, t("idVerify"));
  page(main, h("form", { class: "card narrow", id: "identity-phone", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (!check(out, [[code, SIX.test(code.value.trim()), t("suCodeFormat")]])) return;
    busy(button, out, async () => {
      const proven = await post(`${BASE}/${encodeURIComponent(id)}/phone`, { code: code.value.trim() });
      const c = { id, token: proven.token };
      keep(c);
      images(main, ctx, c, { image_attempts_left: RULES.attempts });
    });
  } }, h("p", { class: "status info" }, t("idSent")), out, codeWrap, button,
  h("p", { class: "links" }, h("button", { type: "button", class: "link", onclick: () => start(main, ctx) }, t("idStartOver")))));
  code.focus();
}

function images(main, ctx, c, state) {
  const out = status();
  const chosen = chooser(state.image_attempts_left, "identity-rules");
  const button = h("button", { type: "submit" }, t("idSendImages"));
  page(main, h("form", { class: "card narrow", id: "identity-images", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (chosen.missing(out)) return;
    busy(button, out, async () => {
      button.textContent = t("working");
      try {
        const body = await chosen.checked(out);  // a mistake caught here spends no attempt
        if (!body) return;
        const headers = { "X-Recovery-Case": c.id, "X-Recovery-Token": c.token };
        const sent = await api("POST", `${BASE}/images`, { body, headers }).catch(async (err) => {
          if (err.code === "recovery_images_refused") {  // the last attempt ends the request
            const now = await api("GET", `${BASE}/${encodeURIComponent(c.id)}`, withToken(c)).catch(() => null);
            if (now && now.state !== "awaiting_images") { await progress(main, ctx, c, now, err.message); return null; }
          }
          throw err;
        });
        if (sent) await progress(main, ctx, c, sent);
      } finally { button.textContent = t("idSendImages"); }
    });
  } }, h("h2", {}, t("idImagesTitle")), h("p", { class: "hint" }, t("idImagesHint")), chosen.rules, out,
  chosen.fields, button));
}

async function progress(main, ctx, c, state, message = null) {
  if (state.state === "awaiting_images") return images(main, ctx, c, state);
  if (state.state === "approved") { keep(null); return complete(main, ctx, t("idApproved")); }
  const out = status();
  const ended = !["under_review"].includes(state.state);
  if (ended) keep(null);
  const refresh = h("button", { type: "button", class: "secondary", id: "identity-refresh", onclick: () => busy(refresh, out, async () => {
    await progress(main, ctx, c, await api("GET", `${BASE}/${encodeURIComponent(c.id)}`, withToken(c)));
  }) }, t("idRefresh"));
  page(main, h("section", { class: "card narrow", id: "identity-status" },
    message ? h("p", { class: "status error", role: "alert" }, message) : null,
    h("p", {}, `${t("idState")}: `, h("strong", { id: "identity-state" }, lang() === "vi" ? state.state_vi : state.state_en)),
    state.state === "under_review" ? h("p", { class: "status info" }, t("idWaiting")) : null,
    state.state === "rejected" ? h("p", { class: "status error", role: "alert", id: "identity-reason" }, t("idRejected", { reason: state.reason })) : null,
    state.state === "under_review" ? h("p", { class: "muted" }, `${t("rcExpires")}: ${fmtDate(state.expires_at)}`) : null,
    out,
    h("div", { class: "actions" }, ended ? null : refresh,
      h("button", { type: "button", class: ended ? "" : "link", onclick: () => (ended ? start(main, ctx) : complete(main, ctx)) },
        t(ended ? "idStartOver" : "idHaveCode")))));
  return undefined;
}

function complete(main, ctx, intro = null) {
  const out = status();
  const [loginWrap, login] = field(t("login"), { autocomplete: "username" });
  const [codeWrap, code] = field(t("idCode"), { inputmode: "numeric", maxlength: 8, autocomplete: "one-time-code" });
  const [pwWrap, pw] = field(t("newPassword"), { type: "password", autocomplete: "new-password" }, t("suPasswordHint"));
  const [againWrap, again] = field(t("fpPasswordAgain"), { type: "password", autocomplete: "new-password" });
  const [pinWrap, pin] = field(t("idNewPin"), { type: "password", inputmode: "numeric", maxlength: 6, autocomplete: "off" }, t("suPinHint"));
  const [pin2Wrap, pin2] = field(t("idPinAgain"), { type: "password", inputmode: "numeric", maxlength: 6, autocomplete: "off" });
  const button = h("button", { type: "submit" }, t("idSave"));
  page(main, h("form", { class: "card narrow", id: "identity-complete", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (!check(out, [[login, login.value.trim(), t("required")], [code, EIGHT.test(code.value.trim()), t("idCodeFormat")],
      [pw, pw.value, t("required")], [again, again.value === pw.value, t("fpPasswordMismatch")],
      [pin, SIX.test(pin.value), t("suPinHint")], [pin2, pin2.value === pin.value, t("idPinMismatch")]])) return;
    busy(button, out, async () => {
      button.textContent = t("working");
      try {
        await post(`${BASE}/complete`, { login: login.value.trim(), code: code.value.trim(),
          new_password: pw.value, new_pin: pin.value });
        keep(null);
        ctx.toLogin(t("idDone"));
      } finally { button.textContent = t("idSave"); }
    });
  } }, h("h2", {}, t("idCompleteTitle")), intro ? h("p", { class: "status ok" }, intro) : null, out,
  loginWrap, codeWrap, pwWrap, againWrap, pinWrap, pin2Wrap, button));
  login.focus();
}
