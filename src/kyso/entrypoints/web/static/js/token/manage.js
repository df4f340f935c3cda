// The logged-in token flows (app/codes.py in the browser): Lấy mã OTP (giải pháp 2), Đồng bộ
// thời gian, Thay đổi PIN SmartOTP (the old PIN proven online), Thay đổi phương thức nhận OTP
// and a temporary self-lock of a method (both with the account PIN).
import { api, get, post } from "../api.js";
import { supportLine } from "../contact.js";
import { busy, duration, field, h, replace, status } from "../dom.js";
import { label, t } from "../i18n.js";
import { decidedHere } from "./live.js";
import { newPinProblem, pinField, pinToCode } from "./ui.js";
import { clock, relock, saveClock, transactionCode } from "./vault.js";

function step(title, ...children) {
  return h("section", { class: "card step" }, h("h2", {}, title), ...children);
}

/** offset = server − device, the device time taken halfway through the round trip. */
export async function sync() {
  const before = Date.now();
  const server = await get("/time");
  const after = Date.now();
  const offset = server.unix - (before + after) / 2000;
  await saveClock(offset);
  return offset;
}

export function offsetText(offset) {
  const s = Math.round(offset);
  if (Math.abs(s) < 1) return t("tkInSync");
  return t(s > 0 ? "uxBehind" : "uxAhead", { d: duration(Math.abs(s)) });
}

/** Giải pháp 2: the clock is synced first, then PIN → code with its countdown. */
export async function getCode(flow, record) {
  try { await sync(); } catch { /* offline: the kept offset serves */ }
  replace(flow, step(t("tkGetCode"), h("p", { class: "muted" }, t("tkGetCodeHint")), pinToCode(record)));
  flow.querySelector("input")?.focus();
}

export async function syncTime(flow) {
  const out = status();
  const offset = await sync();
  const kept = await clock();
  out.show(`${t("tkSynced")} ${offsetText(offset)}`, "ok");
  replace(flow, step(t("tkSync"), out, h("p", { class: "muted", id: "synced-at" },
    t("tkSyncedAt", { at: new Date(kept.synced_at).toLocaleString("vi-VN") }))));
}

/** Old PIN → the server's smartotp_pin_change challenge answered with it → new PIN twice. */
export function changePin(flow, record, finished) {
  const out = status();
  const [of, old] = pinField(t("tkOldPin"));
  const [pf, pin] = pinField(t("tkNewPin"), t("tkPinRule"));
  const [qf, again] = pinField(t("tkNewPinAgain"));
  const button = h("button", { type: "submit" }, t("tkChangePin"));
  replace(flow, step(t("tkChangePin"), h("form", { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (!old.value) { out.show(t("required")); old.focus(); return; }
    const problem = newPinProblem(pin.value, again.value, old.value);
    if (problem) { out.show(problem); pin.focus(); return; }
    busy(button, out, async () => {
      const challenge = await post("/smartotp/pin-change");
      let code;
      try {
        code = await transactionCode(record, old.value, challenge);
        await post(`/transactions/${encodeURIComponent(challenge.id)}/confirm`, { otp: code });
      } catch (err) {
        // the challenge served this attempt only: a wrong code ended it on the server; any
        // other failure ends it here, so none is left waiting in the list
        if (err.code !== "invalid_otp") {
          await post(`/transactions/${encodeURIComponent(challenge.id)}/reject`).catch(() => {});
        }
        decidedHere(challenge.id);
        if (err.code === "invalid_otp") throw Object.assign(new Error(t("tkOldPinWrong")), err);
        if (err.code === "challenge_mismatch") throw new Error(t("tkMismatch"));
        throw err;
      }
      await relock(record, old.value, pin.value);
      old.value = ""; pin.value = ""; again.value = "";
      replace(flow, step(t("tkChangePin"), h("p", { class: "status ok", role: "status" }, t("tkPinChanged")),
        h("button", { type: "button", onclick: finished }, t("tkFinish"))));
    });
  } }, out, of, pf, qf, h("div", { class: "actions" }, button))));
  old.focus();
}

function accountPinForm(title, submitLabel, extra, work) {
  const out = status();
  const [pf, pin] = field(t("tkAccountPin"), { type: "password", inputmode: "numeric",
    autocomplete: "off", maxlength: 12 });
  const button = h("button", { type: "submit" }, submitLabel);
  const form = h("form", { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (!pin.value) { out.show(t("required")); pin.focus(); return; }
    busy(button, out, async () => { await work(pin.value, out); pin.value = ""; });
  } }, out, extra, pf, h("div", { class: "actions" }, button));
  return step(title, form);
}

/** Thay đổi phương thức nhận OTP: SMS ↔ SmartOTP with the account PIN. */
export function switchMethod(flow, otp, finished) {
  const target = otp.otp_method === "sms" ? "smartotp" : "sms";
  replace(flow, accountPinForm(t("tkMethodTitle"), t("tkSwitchTo", { m: label("m_", target) }),
    h("p", {}, t("tkMethodNow", { m: label("m_", otp.otp_method) })), async (pin) => {
      await api("PUT", "/me/otp-method", { json: { method: target, pin } });
      finished(t("tkMethodChanged", { m: label("m_", target) }));
    }));
}

/** Tạm khóa: the customer locks a method herself; the support desk unlocks it. */
export function selfLock(flow, otp, finished) {
  const options = Object.keys(otp.methods).filter((m) => !otp.methods[m].locked)
    .map((m) => h("option", { value: m }, label("m_", m)));
  const [mf, method] = field(t("tkLockWhich"), { tag: "select", name: "method", options });
  replace(flow, accountPinForm(t("tkLockTitle"), t("tkLock"), [h("p", {}, t("tkLockHint")), supportLine(), mf],
    async (pin) => {
      await post(`/me/otp-methods/${encodeURIComponent(method.value)}/lock`, { pin });
      finished(t("tkLocked", { m: label("m_", method.value) }));
    }));
}
