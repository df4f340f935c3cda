// RA officer: the review queue, a registration with its data, checks and eKYC images,
// approve, or reject with a reason.
import { api, get, post } from "../api.js";
import { ask, busy, card, dl, field, fmtDate, h, replace, saveBlob, status } from "../dom.js";
import { lang, t } from "../i18n.js";
import { vocabulary, word } from "../vocab.js";

const STATES = ["under_review", "approved", "active", "rejected"];
const PAGE = 20;  // cases a page
let products = null;  // code → name, from the public catalogue

async function load() {
  await vocabulary();
  if (!products) products = Object.fromEntries((await get("/billing/catalog")).map((p) => [p.code, p.name]));
}

const productName = (code) => (products && products[code]) || code;
// a check's result in words; a free-text finding (an image problem) as it was written
const result = (v) => {
  const w = word("ekyc_results", String(v));
  return typeof v === "number" || w === t("otherWord") ? String(v) : w;
};
const day = (value) => (value ? value.split("-").reverse().join("/") : "—");

export async function ra(main) {
  const id = new URLSearchParams(location.hash.split("?")[1] || "").get("id");
  await load();
  if (id) return showCase(main, id);
  const list = h("div", { id: "cases" });
  const [stateField, state] = field(t("raState"), { tag: "select", name: "state",
    options: STATES.map((s) => h("option", { value: s }, word("registration_states", s))) });
  const [findField, find] = field(t("raFind"), { type: "search", name: "find" }, t("raFindHint"));
  let page = 0;
  let asked = 0;  // only the newest answer is drawn
  const draw = async () => {
    const mine = ++asked;
    replace(list, h("p", { class: "status info", role: "status" }, t("loading")));
    // the server searches every case of the state (name without diacritics, or ID number)
    const query = new URLSearchParams({ state: state.value, q: find.value.trim().slice(0, 64),
      limit: String(PAGE + 1), offset: String(page * PAGE) });
    const found = await get(`/ra/registrations?${query}`);
    if (mine !== asked) return;
    const shown = found.slice(0, PAGE);
    const pager = page > 0 || found.length > PAGE ? h("nav", { class: "actions pager", "aria-label": t("raPage", { n: page + 1 }) },
      page > 0 ? h("button", { type: "button", class: "secondary", onclick: () => { page -= 1; draw(); } }, t("raPrev")) : null,
      h("span", { class: "muted" }, t("raPage", { n: page + 1 })),
      found.length > PAGE ? h("button", { type: "button", class: "secondary", onclick: () => { page += 1; draw(); } }, t("raNext")) : null) : null;
    replace(list, shown.length ? h("ul", { class: "plain case-list" }, shown.map((c) => caseRow(main, c)))
      : h("p", { class: "empty" }, t("noCases")), pager);
  };
  let typing = null;
  const again = () => { page = 0; draw(); };
  state.addEventListener("change", again);
  find.addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(again, 250); });
  replace(main, h("h1", {}, t("ra")), h("form", { class: "card filters", role: "search", novalidate: true,
    onsubmit: (e) => { e.preventDefault(); clearTimeout(typing); again(); } }, stateField, findField), list);
  await draw();
  return undefined;
}

/** One case as a phone shows it: one tap target with the name, the ID number, the state in
 * words, the package and the date (dd/MM/yyyy HH:mm). */
function caseRow(main, c) {
  return h("li", {}, h("button", { type: "button", class: "case-row", "data-case": c.id,
    onclick: () => showCase(main, c.id) },
  h("span", { class: "case-name" }, c.full_name || t("plNoName")),
  h("span", { class: `case-state state-${c.state}` }, word("registration_states", c.state)),
  h("span", { class: "case-id" }, `${t("plIdNumber")}: ${c.id_number}`),
  h("span", { class: "case-date" }, `${t("createdAt")}: ${fmtDate(c.created_at)}`),
  h("span", { class: "case-meta" }, productName(c.package)),
  h("span", { class: "case-open" }, `${t("plOpenCase")} ›`)));
}

async function showCase(main, id, message = null) {
  const c = await get(`/ra/registrations/${encodeURIComponent(id)}`);
  const out = status();
  if (message) out.show(message, "ok");
  const images = h("div", { class: "images" });
  replace(main, h("h1", {}, c.full_name),
    h("button", { type: "button", class: "link", onclick: () => ra(main) }, t("back")), out,
    card(t("details"), dl([[t("state"), h("span", { id: "case-state" }, lang() === "vi" ? c.state_vi : word("registration_states", c.state))],
      [t("fullName"), c.full_name], [t("birthDate"), day(c.birth_date)], [t("raSex"), word("sexes", c.sex)],
      [t("idNumber"), `${c.id_type} ${c.id_number}`], [t("raIssued"), day(c.issue_date)],
      [t("raExpires"), c.expiry_date ? day(c.expiry_date) : t("raNoExpiry")],
      [t("phone"), c.phone], [t("email"), c.email], [t("address"), c.address], [t("package"), productName(c.package)],
      [t("accountId"), h("code", {}, c.account_id)], c.mrz ? ["MRZ", h("code", { class: "mrz" }, c.mrz)] : null,
      c.review_reason ? [t("reasonField"), c.review_reason] : null])),
    card(t("checks"), dl(Object.entries(c.checks).map(([k, v]) =>
      [word("ekyc_checks", k), result(v)]))),
    card(t("images"), images),
    c.contract_seal ? card(t("raContract"), contractButton(c, out)) : null,
    c.state === "under_review" ? decide(main, c, out) : null);
  loadImages(images, c.id);
}

// The contract the customer accepted (kyso's sealed copy once made), to read before deciding.
function contractButton(c, out) {
  const button = h("button", { type: "button", class: "secondary", id: "case-contract",
    onclick: () => busy(button, out, async () => {
      const response = await api("GET", `/ra/registrations/${encodeURIComponent(c.id)}/contract`, { blob: true });
      saveBlob(await response.blob(), `hop-dong-${c.id.slice(0, 8)}.pdf`);
    }) }, t("raContractGet"));
  return [h("p", {}, t(c.contract_seal === "sealed" ? "raContractSealed" : "raContractPending")), button];
}

/** The three images at once, each in its place with a loading line until it arrives. */
async function loadImages(el, id) {
  await Promise.all(["front", "back", "portrait"].map(async (which) => {
    const name = t(which === "back" ? "back_" : which);
    const figure = h("figure", { "aria-busy": "true" }, h("p", { class: "muted" }, t("loading")),
      h("figcaption", {}, name));
    el.append(figure);
    try {
      const response = await api("GET", `/ra/registrations/${encodeURIComponent(id)}/images/${which}`, { blob: true });
      const url = URL.createObjectURL(await response.blob());
      figure.replaceWith(zoomFigure(url, name));
    } catch { figure.remove(); /* an image not taken yet */ }
  }));
}

/** An image that zooms to the page's width on a tap (and back), with its caption. */
export function zoomFigure(url, name) {
  const zoom = h("button", { type: "button", class: "zoom", "aria-pressed": "false", title: t("raZoom"),
    onclick: () => {
      const on = zoom.getAttribute("aria-pressed") !== "true";
      zoom.setAttribute("aria-pressed", String(on));
      zoom.closest("figure").classList.toggle("zoomed", on);
    } }, h("img", { src: url, alt: name }));
  return h("figure", {}, zoom, h("figcaption", {}, name));
}

function decide(main, c, out) {
  const path = `/ra/registrations/${encodeURIComponent(c.id)}`;
  const approve = h("button", { type: "button", id: "approve", onclick: () => ask(approve,
    t("askApprove", { name: c.full_name }), t("approveYes"), () => busy(approve, out, async () => {
      await post(`${path}/approve`);
      await showCase(main, c.id, t("approved"));
    })) }, t("approve"));
  const [reasonField, reason] = field(t("reasonReject"), { tag: "textarea", name: "reason", maxlength: 500 });
  const resub = h("input", { type: "checkbox", id: "resubmittable" });
  const reject = h("button", { type: "submit", class: "danger" }, t("reject"));
  const form = h("form", { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (reason.value.trim().length < 3) { out.show(t("reasonTooShort")); reason.focus(); return; }
    ask(reject, t("askReject", { name: c.full_name }), t("rejectYes"), () => busy(reject, out, async () => {
      await post(`${path}/reject`, { reason: reason.value.trim(), resubmittable: resub.checked });
      await showCase(main, c.id, t("rejectedCase"));
    }));
  } }, reasonField, h("div", { class: "check" }, resub, h("label", { for: "resubmittable" }, t("resubmittable"))), reject);
  return card(t("decision"), h("div", { class: "actions" }, approve), h("hr"), form);
}
