// RA officer: the review queue, a registration with its data, checks and eKYC images,
// approve, or reject with a reason.
import { api, get, post } from "../api.js";
import { ask, busy, card, dl, field, fmtDate, h, replace, status, table } from "../dom.js";
import { lang, t } from "../i18n.js";

export async function ra(main) {
  const id = new URLSearchParams(location.hash.split("?")[1] || "").get("id");
  if (id) return showCase(main, id);
  const cases = await get("/ra/registrations");
  replace(main, h("h1", {}, t("ra")), cases.length ? table(
    [t("fullName"), t("idNumber"), t("package"), t("createdAt"), ""],
    cases.map((c) => [c.full_name, c.id_number, c.package, fmtDate(c.created_at),
      h("button", { type: "button", class: "secondary", "data-case": c.id,
        onclick: () => showCase(main, c.id) }, t("open"))])) : h("p", { class: "empty" }, t("noCases")));
  return undefined;
}

async function showCase(main, id, message = null) {
  const c = await get(`/ra/registrations/${encodeURIComponent(id)}`);
  const out = status();
  if (message) out.show(message, "ok");
  const images = h("div", { class: "images" });
  replace(main, h("h1", {}, c.full_name),
    h("button", { type: "button", class: "link", onclick: () => ra(main) }, t("back")), out,
    card(t("details"), dl([[t("state"), h("span", { id: "case-state" }, lang() === "vi" ? c.state_vi : c.state.replaceAll("_", " "))],
      [t("fullName"), c.full_name], [t("birthDate"), c.birth_date], [t("idNumber"), `${c.id_type} ${c.id_number}`],
      [t("phone"), c.phone], [t("email"), c.email], [t("address"), c.address], [t("package"), c.package],
      [t("accountId"), h("code", {}, c.account_id)], c.mrz ? ["MRZ", h("code", { class: "mrz" }, c.mrz)] : null,
      c.review_reason ? [t("reasonField"), c.review_reason] : null])),
    card(t("checks"), dl(Object.entries(c.checks).map(([k, v]) =>
      [k, typeof v === "object" ? JSON.stringify(v) : String(v)]))),
    card(t("images"), images),
    c.state === "under_review" ? decide(main, c, out) : null);
  loadImages(images, c.id);
}

async function loadImages(el, id) {
  for (const which of ["front", "back", "portrait"]) {
    try {
      const response = await api("GET", `/ra/registrations/${encodeURIComponent(id)}/images/${which}`, { blob: true });
      const url = URL.createObjectURL(await response.blob());
      el.append(h("figure", {}, h("img", { src: url, alt: t(which === "back" ? "back_" : which) }),
        h("figcaption", {}, t(which === "back" ? "back_" : which))));
    } catch { /* an image not taken yet */ }
  }
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
