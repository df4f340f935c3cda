// Sign a PDF: upload with options, confirm with the OTP, download; validate a signed PDF.
import { api, get } from "../api.js";
import { busy, card, dl, field, fmtDate, h, replace, saveBlob, status, table } from "../dom.js";
import { label, t } from "../i18n.js";
import { txCard } from "./transactions.js";

const LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"];

export async function sign(main) {
  const docs = await get("/documents");
  const flow = h("div", { id: "sign-flow" });
  replace(main, h("h1", {}, t("signTitle")), signForm(flow), flow, validateForm(),
    card(t("recentDocs"), recent(docs)));
}

function pdfFrom(input, out) {
  const file = input.files[0];
  if (!file) { out.show(t("needPdf")); input.focus(); return null; }
  if (!/\.pdf$/i.test(file.name) && file.type !== "application/pdf") {
    out.show(t("notPdf")); input.focus(); return null;
  }
  return file;
}

function signForm(flow) {
  const out = status();
  const [fileField, file] = field(t("file"), { type: "file", name: "file", accept: "application/pdf,.pdf", required: true });
  const [levelField, level] = field(t("level"), { tag: "select", name: "level",
    options: LEVELS.map((l) => h("option", { value: l }, l)) });
  const visible = h("input", { type: "checkbox", id: "visible", name: "visible" });
  const [reasonField, reason] = field(t("reason"), { name: "reason", maxlength: 100 });
  const [placeField, place] = field(t("location"), { name: "location", maxlength: 100 });
  const button = h("button", { type: "submit" }, t("upload"));
  return h("form", { class: "card", id: "sign-form", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const pdf = pdfFrom(file, out);
    if (!pdf) return;
    busy(button, out, async () => {
      const q = new URLSearchParams({ level: level.value, visible: String(visible.checked) });
      if (reason.value.trim()) q.set("reason", reason.value.trim());
      if (place.value.trim()) q.set("location", place.value.trim());
      const body = new FormData();
      body.append("file", pdf, pdf.name);
      const doc = await api("POST", `/documents?${q}`, { body });
      replace(flow, h("h2", {}, t("confirmSign")),
        txCard(doc.transaction, (tx) => tx.status === "confirmed" && signedDoc(flow, doc.id)));
      flow.querySelector("input")?.focus();
    });
  } }, h("h2", {}, t("signTitle")), out, fileField, levelField,
    h("div", { class: "check" }, visible, h("label", { for: "visible" }, t("visible"))),
    reasonField, placeField, button);
}

async function signedDoc(flow, id) {
  const doc = await get(`/documents/${encodeURIComponent(id)}`);
  flow.append(h("p", { class: "status ok", role: "status" }, t("signed")), downloadButton(doc));
}

function downloadButton(doc) {
  const name = doc.file_name.replace(/\.pdf$/i, "") + "-signed.pdf";
  const button = h("button", { type: "button", class: "download", onclick: () => busy(button, null, async () => {
    const response = await api("GET", `/documents/${encodeURIComponent(doc.id)}/download`, { blob: true });
    saveBlob(await response.blob(), name);
  }) }, t("download"));
  return button;
}

function recent(docs) {
  if (!docs.length) return h("p", {}, "—");
  return table([t("d_file_name"), t("level"), t("status"), t("createdAt"), ""],
    docs.map((d) => [d.file_name, d.level, d.status, fmtDate(d.created_at), d.download ? downloadButton(d) : ""]));
}

function validateForm() {
  const out = status();
  const report = h("div", { id: "report" });
  const [fileField, file] = field(t("file"), { type: "file", name: "file", accept: "application/pdf,.pdf" });
  const button = h("button", { type: "submit", class: "secondary" }, t("validate"));
  return h("form", { class: "card", id: "validate-form", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const pdf = pdfFrom(file, out);
    if (!pdf) return;
    busy(button, out, async () => {
      const body = new FormData();
      body.append("file", pdf, pdf.name);
      showReport(report, await api("POST", "/validate", { body }));
    });
  } }, h("h2", {}, t("validateTitle")), out, fileField, button, report);
}

function showReport(el, r) {
  const yes = (v) => (v ? t("yes") : t("no"));
  const headline = !r.signatures.length ? t("noSignatures") : r.valid ? t("reportValid") : t("reportInvalid");
  replace(el, h("p", { class: `status ${r.valid && r.signatures.length ? "ok" : "error"}`, role: "status",
    id: "report-verdict" }, headline),
  r.signatures.map((s) => dl([[t("signer"), s.signer], [t("signingTime"), fmtDate(s.signing_time)],
    [t("integrity"), label("v_", s.integrity)], [t("trusted"), yes(s.trusted)],
    [t("revocation"), label("v_", s.revocation)], [t("level"), s.level],
    [t("timestamp"), s.timestamp ? fmtDate(s.timestamp) : "—"],
    [t("coverage"), s.coverage ? label("v_", s.coverage) : "—"], s.trust_problem ? ["!", s.trust_problem] : null])));
}
