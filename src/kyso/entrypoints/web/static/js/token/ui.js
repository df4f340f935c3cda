// The token's screens shared by the pages: the SmartOTP PIN field, a code with its countdown
// (giải pháp 1 and 2), and the offline screen behind the login page's SmartOTP button.
// The PIN lives only in the closure of the screen that asked it, never in any storage.
import { busy, field, h, replace, status } from "../dom.js";
import { t } from "../i18n.js";
import { codeNow, serverNow, storedToken, weakPin } from "./vault.js";

/** A SmartOTP PIN field: digits, masked, never autofilled or kept. */
export function pinField(label = t("tkPin"), hint = null) {
  return field(label, { type: "password", inputmode: "numeric", autocomplete: "off",
    maxlength: 12, name: "smartotp-pin", class: "pin" }, hint);
}

/** Why a new SmartOTP PIN is refused (the rule of otp/device.py), or null. */
export function newPinProblem(pin, again, old = null) {
  const weak = weakPin(pin);
  if (weak === "format") return t("tkPinFormat");
  if (weak === "pattern") return t("tkPinTrivial");
  if (old !== null && pin === old) return t("tkPinSame");
  if (pin !== again) return t("tkPinMismatch");
  return null;
}

/** The code of the current step, renewed each step while on screen, with a countdown. */
export function codePanel(record, pin) {
  const value = h("output", { class: "otp-code", id: "otp-code", "aria-live": "polite" }, "…");
  const left = h("p", { class: "muted countdown", id: "otp-left" });
  const bar = h("progress", { max: record.period, value: record.period });
  const panel = h("div", { class: "code-panel" }, value, bar, left);
  let counter = null;
  async function tick() {
    if (!panel.isConnected && counter !== null) return;
    const at = await serverNow();
    const code = await codeNow(record, pin, at);
    if (code.counter !== counter) { counter = code.counter; value.textContent = code.value; }
    const seconds = Math.ceil(code.expiresIn);
    left.textContent = t("tkExpiresIn", { n: seconds });
    bar.value = seconds;
    setTimeout(tick, 1000);
  }
  tick();
  return panel;
}

/** Giải pháp 1: PIN → code, no login and no network (the login page's SmartOTP button). */
export async function offlineToken(main, back) {
  const record = await storedToken();
  const backButton = h("button", { type: "button", class: "secondary", onclick: back }, t("tkBack"));
  if (!record) {
    replace(main, h("section", { class: "card narrow", id: "offline-token" },
      h("h1", {}, t("tkOfflineTitle")), h("p", {}, t("tkNoToken")), backButton));
    return;
  }
  replace(main, h("section", { class: "card narrow", id: "offline-token" },
    h("h1", {}, t("tkOfflineTitle")), h("p", { class: "muted" }, t("tkOfflineHint")),
    pinToCode(record), backButton));
}

/** A PIN form that turns into the code panel (used offline and logged in). */
export function pinToCode(record) {
  const out = status();
  const [pf, pin] = pinField();
  const button = h("button", { type: "submit" }, t("tkShowCode"));
  const box = h("div");
  const form = h("form", { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (!pin.value) { out.show(t("required")); pin.focus(); return; }
    busy(button, out, async () => {
      const panel = codePanel(record, pin.value);
      pin.value = "";
      replace(box, panel, h("p", { class: "hint" }, t("tkWrongPinHint")));
      form.remove();
    });
  } }, out, pf, button);
  return h("div", {}, form, box);
}
