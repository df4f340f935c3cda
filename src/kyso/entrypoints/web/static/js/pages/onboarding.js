// Registration for a certificate (docs/ONBOARDING.md): the form, then each step where the
// registration stands — payment, activation code, eKYC images, contract, review, acceptance.
import { ApiError, api, get, post } from "../api.js";
import { supportLine } from "../contact.js";
import { ask, busy, card, describe, dl, field, h, replace, saveBlob, status, vnd } from "../dom.js";
import { lang, t } from "../i18n.js";
import { RULES, chooser } from "./images.js";
import { txCard } from "./transactions.js";
import { vocabulary, word } from "../vocab.js";

const BASE = "/onboarding/registration";
const REVIEW_POLL_MS = 2000;
const REVIEW_POLL_MAX_MS = 30000;

export async function onboarding(main) {
  let reg = null;
  try { reg = await get(BASE); } catch (err) { if (!(err instanceof ApiError) || err.status !== 404) throw err; }
  const again = () => onboarding(main);
  if (!reg || ["cancelled", "expired"].includes(reg.state)) {
    const [otp, products, me, certs] = await Promise.all([get("/smartotp"), get("/billing/catalog"),
      get("/me"), get("/billing/certificates")]);
    // a certificate issued already (the server refuses a second registration): the way on,
    // not thirteen fields typed for a refusal
    if (certs.length) return replace(main, h("h1", {}, t("obTitle")), haveOne());
    return replace(main, h("h1", {}, t("obTitle")), form(otp, products, again, me));
  }
  const [catalog] = await Promise.all([get("/billing/catalog").catch(() => []), vocabulary().catch(() => null)]);
  const packageName = (catalog.find((p) => p.code === reg.package) || {}).name || reg.package;
  if (reg.state === "under_review") watchReview(main, again);
  return replace(main, h("h1", {}, t("obTitle")),
    card(t("state"), dl([[t("state"), h("span", { id: "ob-state" }, lang() === "vi" ? capital(reg.state_vi) : word("registration_states", reg.state))],
      [t("fullName"), reg.full_name], [t("idNumber"), `${reg.id_type} ${reg.id_number}`],
      [t("package"), packageName], reg.review_reason ? [t("reasonField"), reg.review_reason] : null])),
    step(reg, again));
}

function haveOne() {
  return card(t("certs"), h("p", { class: "status info", id: "ob-have-cert" }, t("ux3HaveCert")),
    h("p", { class: "links" }, h("a", { href: "#home", class: "button-link" }, t("ux2ToHome")),
      h("a", { href: "#buy", class: "button-link" }, t("navBuy"))), supportLine());
}

/** "chờ thanh toán" → "Chờ thanh toán": a value on its own line starts with a capital. */
const capital = (text) => (text ? text[0].toUpperCase() + text.slice(1) : text);

/** Under review the decision is the officer's: the open page follows it (no reload), asking
 *  often at first, then less (a review may take hours). */
function watchReview(main, again, delay = REVIEW_POLL_MS) {
  setTimeout(async () => {
    if (!main.isConnected || !main.querySelector("#ob-state") || location.hash !== "#register") return;
    const now = await get(BASE).catch(() => null);
    if (now && now.state !== "under_review") await again();
    else watchReview(main, again, Math.min(delay * 1.25, REVIEW_POLL_MAX_MS));
  }, delay);
}

function form(otp, products, again, me) {
  const out = status();
  if (otp.status !== "active") {  // the way on, not only the reason
    return card(t("obTitle"), h("p", { class: "status info", id: "ob-need-token" }, t("obNeedToken")),
      h("p", { class: "links" }, h("a", { href: "#smartotp", class: "button-link" }, t("tkRegister"))));
  }
  const f = (key, attrs = {}, hint = null) => field(t(key), { name: key, ...attrs }, hint);
  const select = (key, pairs) => f(key, { tag: "select", options: pairs.map(([v, l]) => h("option", { value: v }, l)) });
  const fields = {
    full_name: f("fullName", { autocomplete: "name", maxlength: 100 }, t("uxNameHint")),
    birth_date: f("birthDate", { type: "date" }),
    sex: select("sex", [["M", t("male")], ["F", t("female")]]),
    id_type: select("idType", [["CCCD", "CCCD"], ["CMND", "CMND"], ["HC", t("passport")]]),
    id_number: f("idNumber", { maxlength: 20, inputmode: "numeric" }, t("uxIdHint")),
    issue_date: f("issueDate", { type: "date" }),
    expiry_date: f("expiryDate", { type: "date" }, t("uxExpiryHint")),
    phone: f("phone", { type: "tel", autocomplete: "tel" }),
    email: f("email", { type: "email", autocomplete: "email" }),
    address: f("address", { maxlength: 200 }),
    locality: f("locality", { maxlength: 128 }),
    province: f("province", { maxlength: 128 }),
    package: select("package", products.filter((p) => p.kind === "certificate")  // the price too
      .map((p) => [p.code, p.price ? `${p.name} — ${vnd(p.price)}` : `${p.name} — ${t("uxFree")}`])),
  };
  // what the account already proved is not typed again (it can still be corrected)
  for (const key of ["full_name", "phone", "email"]) fields[key][1].value = me[key] || "";
  const button = h("button", { type: "submit" }, t("obSubmit"));
  return h("form", { class: "card", id: "ob-form", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const wrong = Object.values(fields).map(([, i]) => i).find((i) => i.wrongDate && i.wrongDate());
    if (wrong) { out.show(t("dateWrong")); wrong.focus(); return; }
    const empty = Object.entries(fields).find(([k, [, i]]) => k !== "expiry_date" && !i.value.trim());
    if (empty) { out.show(t("required")); empty[1][1].focus(); return; }
    const json = Object.fromEntries(Object.entries(fields).map(([k, [, i]]) => [k, i.value.trim() || null]));
    busy(button, out, async () => { await post(BASE, { ...json, device_id: otp.device_id }); await again(); });
  } }, out, Object.values(fields).map(([wrap]) => wrap), button);
}

/** The application moved on elsewhere (another tab, a double tap, the back button): the page
 *  shows where it stands now, not a refusal. */
function current(again, work) {
  return async () => {
    try { return await work(); } catch (err) {
      if (err?.code === "wrong_state") return again();
      throw err;
    }
  };
}

function step(reg, again) {
  const out = status();
  const act = (label, work, cls = "") => {
    const b = h("button", { type: "button", class: cls, onclick: () => busy(b, out, current(again, work)) }, t(label));
    return b;
  };
  const open = !["approved", "active", "cancelled", "expired"].includes(reg.state);
  const cancel = open ? h("button", { type: "button", class: "danger", onclick: () => ask(cancel, t("askCancelReg"),
    t("cancelRegYes"), () => busy(cancel, out, current(again, async () => { await post(`${BASE}/cancel`); await again(); }))) }, t("obCancel")) : null;
  const body = {
    awaiting_payment: () => payment(reg, out, again, act),
    awaiting_activation: () => activation(out, again, act),
    awaiting_ekyc: () => ekyc(reg, out, again),
    awaiting_contract: () => contract(out, again, act),
    under_review: () => h("p", {}, t("obUnderReview")),
    approved: () => acceptance(out, again, act),
    active: () => [h("p", {}, t("obActive")), h("p", { class: "links" },
      h("a", { href: "#sign", class: "button-link" }, t("navSign")), h("a", { href: "#home", class: "button-link" }, t("navHome"))),
    act("obRecord", () => download(`${BASE}/acceptance`, "bien-ban-nghiem-thu.pdf"), "secondary")],
    rejected: () => (reg.resubmittable ? act("obResubmit", async () => { await post(`${BASE}/resubmit`); await again(); }) : [h("p", {}, t("uxRejected")), supportLine()]),
  }[reg.state];
  return card(t("obNext"), out, body ? body() : null, h("div", { class: "actions" }, cancel));
}

// The registration's order: checked on arrival (back from the gateway, it moves on by
// itself); after a failed, cancelled or expired payment "Thanh toán" makes a new order for
// the same registration (nothing typed again). "Thanh toán" waits for the amount: the
// customer sees how much before the tap that leaves for the gateway (not first there), and
// the button no longer moves under a finger when the amount's lines arrive above it.
function payment(reg, out, again, act) {
  const note = h("div", { id: "ob-payment", "aria-live": "polite" }, h("p", { class: "status info" }, t("obChecking")));
  const pay = act("payNow", async () => {
    const payable = await post(`${BASE}/payment/order`);
    if (payable.state !== "awaiting_payment") { await again(); return; }
    const { payment_url: url } = await post(`/billing/orders/${encodeURIComponent(payable.order_id)}/payment`);
    location.assign(url);
  });
  pay.disabled = true;
  (async () => {
    const now = await post(`${BASE}/payment`);
    if (now.state !== reg.state) { await again(); return; }
    const order = await get(`/billing/orders/${encodeURIComponent(reg.order_id)}`);
    const amount = h("p", { id: "ob-amount" }, t("ux3PayAmount", { amount: vnd(order.amount) }));
    replace(note, amount, ["failed", "cancelled", "expired"].includes(order.status)
      ? h("p", { class: "status error" }, t("obPayAgain", { status: t(`obOrder_${order.status}`) }))
      : h("p", { class: "hint" }, t("obPayHint")));
  })().catch((err) => replace(note, h("p", { class: "status error", role: "alert" }, describe(err)), supportLine()))
    .finally(() => { pay.disabled = false; });
  return [note, h("div", { class: "actions" }, pay,
    act("obCheckPayment", async () => { await post(`${BASE}/payment`); await again(); }, "secondary"))];
}

function activation(out, again, act) {
  const [codeField, code] = field(t("obCode"), { name: "code", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 10 }, t("obCodeHint"));
  const button = h("button", { type: "submit" }, t("confirm"));
  return [h("form", { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (!code.value.trim()) { out.show(t("required")); code.focus(); return; }
    busy(button, out, current(again, async () => { await post(`${BASE}/activation`, { code: code.value.trim() }); await again(); }));
  } }, codeField, h("div", { class: "actions" }, button,
    act("obResend", async () => { await post(`${BASE}/activation/resend`); out.show(t("obResent"), "ok"); }, "secondary")))];
}

function ekyc(reg, out, again) {
  const images = chooser(Math.max(0, RULES.attempts - (reg.ekyc_attempts || 0)), "ekyc-rules");
  const button = h("button", { type: "submit" }, t("obSend"));
  return h("form", { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (images.missing(out)) return;
    busy(button, out, current(again, async () => {
      button.textContent = t("working");
      try {
        const body = await images.checked(out);
        if (!body) return;
        await api("POST", `${BASE}/ekyc`, { body });
        await again();
      } finally { button.textContent = t("obSend"); }
    }));
  } }, images.rules, images.fields, button);
}

function contract(out, again, act) {
  const flow = h("div", { id: "ob-flow" });
  return [h("div", { class: "actions" },
    act("obContract", () => download(`${BASE}/contract`, "hop-dong.pdf"), "secondary"),
    act("obAccept", async () => {
      const tx = await post(`${BASE}/contract/accept`);
      replace(flow, txCard(tx, (done) => done.status === "confirmed" && again()));
    })), flow];
}

function acceptance(out, again, act) {
  const flow = h("div", { id: "ob-flow" });
  return [h("p", {}, t("obApproved")), h("div", { class: "actions" },
    act("obReadRecord", () => download(`${BASE}/acceptance`, "bien-ban-nghiem-thu.pdf"), "secondary"),
    act("obSignRecord", async () => {
      const { transaction } = await post(`${BASE}/acceptance`);
      replace(flow, txCard(transaction, (done) => done.status === "confirmed" && again()));
    })), flow];
}

async function download(path, name) {
  const response = await api("GET", path, { blob: true });
  saveBlob(await response.blob(), name);
}
