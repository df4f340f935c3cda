// RA officers and the support desk: identity-recovery requests (both secrets lost). Each case
// shows the images sent beside those of the approved registration and the card's data;
// approve (the recovery code goes to the customer) or reject with a reason, each asked first.
import { api, get, post } from "../api.js";
import { ask, busy, card, dl, field, fmtDate, h, replace, status, table } from "../dom.js";
import { lang, t } from "../i18n.js";
import { vocabulary, word } from "../vocab.js";
import { zoomFigure } from "./ra.js";

const STATES = ["under_review", "approved", "completed", "rejected", "failed", "expired"];
const day = (value) => (value ? value.split("-").reverse().join("/") : "—");
const label = (c) => (lang() === "vi" ? c.state_vi : c.state_en);

export async function recoveries(main) {
  await vocabulary();
  const list = h("div", { id: "recovery-cases" });
  const [stateField, state] = field(t("raState"), { tag: "select", name: "state",
    options: STATES.map((s) => h("option", { value: s }, t(`rcS_${s}`))) });
  const draw = async () => {
    replace(list, h("p", { class: "status info", role: "status" }, t("loading")));
    const cases = await get(`/ra/recoveries?state=${encodeURIComponent(state.value)}`);
    replace(list, cases.length ? table(
      [t("fullName"), t("idNumber"), t("rcSubmitted"), ""],
      cases.map((c) => [c.full_name, c.id_number || "—", fmtDate(c.submitted_at || c.created_at),
        h("button", { type: "button", class: "secondary", "data-recovery": c.id,
          onclick: () => showCase(main, c.id) }, t("open"))])) : h("p", { class: "empty" }, t("rcNone")));
  };
  state.addEventListener("change", draw);
  replace(main, h("h1", {}, t("rcTitle")), h("form", { class: "card filters", novalidate: true,
    onsubmit: (e) => { e.preventDefault(); draw(); } }, stateField), list);
  await draw();
}

async function showCase(main, id, message = null) {
  const c = await get(`/ra/recoveries/${encodeURIComponent(id)}`);
  const out = status();
  if (message) out.show(message, "ok");
  const r = c.registration;
  const pairs = h("div", { id: "recovery-images" });
  replace(main, h("h1", {}, c.full_name),
    h("button", { type: "button", class: "link", onclick: () => recoveries(main) }, t("back")), out,
    card(t("rcAccount"), dl([[t("idState"), h("span", { id: "recovery-state" }, label(c))],
      [t("fullName"), c.full_name], [t("rcLogin"), c.username], [t("phone"), c.phone], [t("email"), c.email],
      [t("idNumber"), c.id_number || "—"], [t("rcSubmitted"), fmtDate(c.submitted_at)],
      [t("rcExpires"), fmtDate(c.expires_at)],
      c.decided_at ? [t("rcDecided"), `${fmtDate(c.decided_at)}`] : null,
      c.reason ? [t("rcReason"), c.reason] : null])),
    r ? card(t("rcRegistration"), dl([[t("fullName"), r.full_name], [t("birthDate"), day(r.birth_date)],
      [t("raSex"), word("sexes", r.sex)], [t("idNumber"), `${r.id_type} ${r.id_number}`],
      [t("raIssued"), day(r.issue_date)], [t("raExpires"), r.expiry_date ? day(r.expiry_date) : t("raNoExpiry")],
      [t("address"), r.address]]))
      : h("p", { class: "status error", role: "alert", id: "no-registration" }, t("rcNoRegistration")),
    card(t("rcCompare"), pairs),
    c.state === "under_review" ? decide(main, c, out) : null);
  await compare(pairs, c);
}

async function compare(el, c) {
  const image = async (which) => {
    try {
      const response = await api("GET", `/ra/recoveries/${encodeURIComponent(c.id)}/images/${which}`, { blob: true });
      return URL.createObjectURL(await response.blob());
    } catch { return null; }
  };
  for (const which of ["front", "back", "portrait"]) {
    const name = t(which === "back" ? "back_" : which);
    const [now, then] = [await image(which), c.registration ? await image(`registration_${which}`) : null];
    el.append(h("h3", {}, name), h("div", { class: "images", "data-pair": which },
      now ? zoomFigure(now, `${name} — ${t("rcNow")}`) : null,
      then ? zoomFigure(then, `${name} — ${t("rcThen")}`) : null));
  }
}

function decide(main, c, out) {
  const path = `/ra/recoveries/${encodeURIComponent(c.id)}`;
  const approve = h("button", { type: "button", id: "recovery-approve", onclick: () => ask(approve,
    t("rcAskApprove", { name: c.full_name }), t("rcApproveYes"), () => busy(approve, out, async () => {
      await post(`${path}/approve`);
      await showCase(main, c.id, t("rcApproved"));
    })) }, t("rcApprove"));
  const [reasonField, reason] = field(t("reasonReject"), { tag: "textarea", name: "reason", maxlength: 500 });
  const reject = h("button", { type: "submit", class: "danger", id: "recovery-reject" }, t("reject"));
  const form = h("form", { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (reason.value.trim().length < 3) { out.show(t("reasonTooShort")); reason.focus(); return; }
    ask(reject, t("rcAskReject", { name: c.full_name }), t("rejectYes"), () => busy(reject, out, async () => {
      await post(`${path}/reject`, { reason: reason.value.trim() });
      await showCase(main, c.id, t("rcRejected"));
    }));
  } }, reasonField, reject);
  // an account without an approved registration has nothing to compare with: reject only
  return card(t("decision"), h("div", { class: "actions" }, c.registration ? approve : null), h("hr"), form);
}
