// SmartOTP: which device holds the token, and every flow of the guide on this phone.
import { get } from "../api.js";
import { supportLine } from "../contact.js";
import { card, describe, dl, fmtDate, h, redraw, replace, status } from "../dom.js";
import { label, t } from "../i18n.js";
import { enrolState, forgetEnrol, forgotPin, register } from "../token/enrol.js";
import { changePin, getCode, offsetText, selfLock, switchMethod, syncTime } from "../token/manage.js";
import { clock, deviceId, forgetToken, storedToken } from "../token/vault.js";

/** Where the token is: "this" (this browser), "other", or "none"; a token kept here that the
 * server no longer binds to this browser is wiped (registering elsewhere revoked it). */
export async function tokenPlace(otp) {
  const [mine, record] = await Promise.all([deviceId(), storedToken()]);
  const active = otp.status === "active" || otp.status === "locked";
  if (active && otp.device_id === mine && record) return { place: "this", record, revoked: false };
  if (record) await forgetToken();
  return { place: active ? "other" : "none", record: null, revoked: Boolean(record) };
}

export function deviceText(otp, place) {
  if (place === "this") return t("tkThisDevice");
  if (place === "other") return t("tkOtherDevice", { name: otp.device_name || "—" });
  return "—";
}

export async function smartotp(main, ctx) {
  const otp = await get("/smartotp");
  const where = await tokenPlace(otp);
  const kept = await clock();
  const flow = h("div", { id: "token-flow" });
  const notice = h("p", { class: "status ok", role: "status", id: "token-notice", hidden: true });
  const again = (text) => redraw(main, () => smartotp(main, ctx)).then(() => text && showNotice(main, text));
  const out = status();  // a step that cannot start (offline, refused) says why, here
  const act = (name, fn) => h("button", { type: "button", class: "secondary", onclick: async () => {
    out.clear();
    try { await fn(); } catch (err) { out.show(describe(err), "error", err); }
  } }, t(name));
  const here = where.place === "this";
  const locked = otp.status === "locked" || Object.values(otp.methods).some((m) => m.locked);
  const switchable = otp.otp_method !== "sms" || ["active", "locked"].includes(otp.status);
  const actions = [
    here ? null : act(where.place === "other" ? "tkRegisterHere" : "tkRegister", () => register(flow, () => again())),
    here ? act("tkGetCode", () => getCode(flow, where.record)) : null,
    here ? act("tkChangePin", () => changePin(flow, where.record, () => again())) : null,
    where.place !== "none" ? act("tkForgotPin", () => forgotPin(flow, () => again())) : null,
    here ? act("tkSync", () => syncTime(flow)) : null,  // the clock of the token kept here
    // to SmartOTP only once it is registered (registering switches by itself), and a lock
    // only while a method is left to lock: never a form that can only be refused
    switchable ? act("tkMethodTitle", () => switchMethod(flow, otp, again)) : null,
    Object.values(otp.methods).some((m) => !m.locked) ? act("tkLockTitle", () => selfLock(flow, otp, again)) : null,
  ];
  replace(main, h("h1", {}, t("smartotp")), notice,
    where.revoked ? h("p", { class: "status warn", role: "alert", id: "token-revoked" }, t("tkRevokedHere")) : null,
    card(t("tkStatusTitle"), dl([
      [t("tokenStatus"), h("span", { class: `badge st-${otp.status}`, id: "otp-status" }, label("st_", otp.status))],
      [t("otpMethod"), h("span", { id: "otp-method" }, label("m_", otp.otp_method))],
      // where the token is, and this browser's clock, once there is a token (not "—")
      where.place !== "none" ? [t("tkHolder"), h("span", { id: "token-device" }, deviceText(otp, where.place))] : null,
      otp.activated_at ? [t("activatedAt"), fmtDate(otp.activated_at)] : null,
      here ? [t("tkClock"), h("span", { id: "clock-offset" }, kept.synced_at ? offsetText(kept.offset) : t("tkNeverSynced"))] : null,
      [t("methods"), h("ul", { class: "plain" }, Object.entries(otp.methods).map(([m, s]) =>
        h("li", { "data-method": m }, label("m_", m), s.locked ? h("span", { class: "badge warn" }, t("lockedMethod")) : null)))],
    ])),
    locked ? supportLine() : null,
    h("div", { class: "actions token-actions" }, actions), out, flow);
  // a reload in the middle of a registration resumes it; one already activated here stays
  const resume = enrolState();
  if (resume && here) forgetEnrol();
  else if (resume) await register(flow, () => again(), resume);
}

function showNotice(main, text) {
  const el = main.querySelector("#token-notice");
  if (el) { el.textContent = text; el.hidden = false; }
}
