// Sign a document: the balance first; a PDF previewed page by page, the stamp dragged where
// it goes with an optional drawn or uploaded signature (PAdES), an XML file previewed and
// signed inside itself (XAdES, xml.js), any other file as a detached CAdES .p7s; confirm
// with the OTP, download. Validate a signed PDF.
import { api, get } from "../api.js";
import { busy, card, dl, field, fmtDate, h, replace, saveBlob, status, table } from "../dom.js";
import { label, t } from "../i18n.js";
import { vocabulary, word } from "../vocab.js";
import { placement, signaturePad } from "./placement.js";
import { receiptLinks } from "./receipt.js";
import { txCard } from "./transactions.js";
import { XADES_LEVELS, isXml, xmlStep } from "./xml.js";

const LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"];
const isPdf = (file) => /\.pdf$/i.test(file.name) || file.type === "application/pdf";

export async function sign(main) {
  const [docs, certs] = await Promise.all([get("/documents"), get("/billing/certificates"), vocabulary()]);
  const flow = h("div", { id: "sign-flow" });
  replace(main, h("h1", {}, t("signTitle")), balance(certs), signForm(flow), flow, validateForm(),
    card(t("recentDocs"), recent(docs)));
}

function balance(certs) {
  const active = certs.filter((c) => c.status === "active");
  const unlimited = active.some((c) => c.unlimited);
  const left = active.reduce((n, c) => n + (c.available_signatures || 0), 0);
  const buy = h("a", { href: "#buy", class: "buy-link" }, t("buyMore"));
  if (!active.length) return h("section", { class: "card", id: "balance" }, h("p", { class: "status error" }, t("noActiveCert")), buy);
  return h("section", { class: "card balance", id: "balance" },
    h("p", {}, `${t("available")}: `, h("strong", { class: "available" }, unlimited ? t("unlimited") : String(left))),
    !unlimited && left === 0 ? h("p", { class: "status error", role: "alert" }, t("noSignaturesLeft")) : null, buy);
}

function pdfFrom(input, out) {
  const file = input.files[0];
  if (!file) { out.show(t("needPdf")); input.focus(); return null; }
  if (!file.size) { out.show(t("ux3EmptyFile", { name: file.name })); input.focus(); return null; }
  if (!isPdf(file) && !isXml(file)) { out.show(t("notPdf")); input.focus(); return null; }
  return file;
}

function signForm(flow) {
  const out = status();
  const [fileField, file] = field(t("fileAny"), { type: "file", name: "file", required: true, multiple: true },
    t("fileAnyHint"));
  const [levelField, level] = field(t("level"), { tag: "select", name: "level",
    // what each level gives first, the standard's name after it (a customer reads the words)
    options: LEVELS.map((l) => h("option", { value: l }, t(`ux3Level${l.replace("-", "")}`))) }, t("levelHint"));
  const button = h("button", { type: "submit" }, t("upload"));
  return h("form", { class: "card", id: "sign-form", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const chosen = file.files[0];
    if (!chosen) { out.show(t("needFile")); file.focus(); return; }
    // a failed download leaves a file of 0 bytes: said here, not by the server in its words
    const empty = [...file.files].find((f) => !f.size);
    if (empty) { out.show(t("ux3EmptyFile", { name: empty.name })); file.focus(); return; }
    if (file.files.length > 1) {
      const all = [...file.files];
      if (all.length > 10 || !all.every(isPdf)) { out.show(t("batchRule")); file.focus(); return; }
      busy(button, out, async () => batchStep(flow, all, level.value));
      return;
    }
    if (isXml(chosen)) {
      if (!XADES_LEVELS.includes(level.value)) { out.show(t("xadesLevels")); level.focus(); return; }
      busy(button, out, async () => xmlStep(flow, chosen, level.value, confirmStep));
      return;
    }
    if (!isPdf(chosen) && ["B-LT", "B-LTA"].includes(level.value)) { out.show(t("cadesLevels")); level.focus(); return; }
    busy(button, out, async () => {
      const body = new FormData();
      body.append("file", chosen, chosen.name);
      if (isPdf(chosen)) return placeStep(flow, await api("POST", "/documents/drafts", { body }), level.value);
      const q = new URLSearchParams({ format: "cades", level: level.value });
      return confirmStep(flow, await api("POST", `/documents?${q}`, { body }));
    });
  } }, h("h2", {}, t("signStep1")), out, fileField, h("p", { class: "hint" }, t("xadesHint")),
  levelField, button);
}

async function placeStep(flow, doc, level) {
  replace(flow, h("p", { class: "status info", role: "status" }, t("loadingPage")));
  const layout = await get(`/documents/${encodeURIComponent(doc.id)}/layout`);
  const where = placement(doc, layout);
  const pad = signaturePad();
  const out = status();
  const visible = h("input", { type: "checkbox", id: "visible", name: "visible", checked: true });
  const [reasonField, reason] = field(t("reason"), { name: "reason", maxlength: 100 });
  const [placeField, place] = field(t("location"), { name: "location", maxlength: 100 });
  const button = h("button", { type: "submit" }, t("sendSign"));
  const form = h("form", { class: "card", id: "place-form", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    busy(button, out, async () => {
      const body = { level, visible: visible.checked };
      if (reason.value.trim()) body.reason = reason.value.trim();
      if (place.value.trim()) body.location = place.value.trim();
      if (visible.checked) Object.assign(body, where.value(), { image: await pad.value() });
      const sent = await api("POST", `/documents/${encodeURIComponent(doc.id)}/sign`, { json: body });
      where.dispose();
      confirmStep(flow, sent);
    });
  } }, h("h2", {}, t("signStep2", { name: doc.file_name })), out,
  h("div", { class: "check" }, visible, h("label", { for: "visible" }, t("visible"))),
  where, pad, reasonField, placeField, button);
  replace(flow, form);
  await where.ready;
  form.querySelector("select")?.focus();
}

function confirmStep(flow, doc) {
  replace(flow, h("h2", {}, t("confirmSign")),
    txCard(doc.transaction, (tx) => tx.status === "confirmed" && signedDoc(flow, doc.id)));
  flow.querySelector("input")?.focus();
}

// Several PDFs in one approval: each uploaded as a draft, its stamp on its own free spot.
async function batchStep(flow, files, level) {
  const ids = [];
  for (const f of files) {
    const body = new FormData();
    body.append("file", f, f.name);
    ids.push((await api("POST", "/documents/drafts", { body })).id);
  }
  const sent = await api("POST", "/documents/batch", { json: { documents: ids, level, visible: true } });
  replace(flow, h("h2", {}, t("confirmBatch", { n: ids.length })),
    txCard(sent.transaction, async (tx) => {
      if (tx.status !== "confirmed") return;
      flow.append(h("p", { class: "status ok", role: "status" }, t("signedBatch", { n: ids.length })));
      for (const id of ids) flow.append(downloadButton(await get(`/documents/${encodeURIComponent(id)}`), true));
      await freshAfterSigning();
    }));
  flow.querySelector("input")?.focus();
}

async function signedDoc(flow, id) {
  const doc = await get(`/documents/${encodeURIComponent(id)}`);
  flow.append(h("p", { class: "status ok", role: "status" }, t("signed")), downloadButton(doc),
    ...await receiptLinks(doc.id));
  await freshAfterSigning();
}

/** A signature used: the balance at the top says what is left now, and the recent
 *  documents at the bottom list what was just signed. */
async function freshAfterSigning() {
  const [certs, docs] = await Promise.all([get("/billing/certificates"), get("/documents")]);
  document.getElementById("balance")?.replaceWith(balance(certs));
  document.getElementById("recent-docs")?.replaceWith(recent(docs));
}

function outputName(doc) {
  if (doc.format === "xades") return `${doc.file_name.replace(/\.xml$/i, "")}-signed.xml`;
  return doc.format === "cades" ? `${doc.file_name}.p7s` : `${doc.file_name.replace(/\.pdf$/i, "")}-signed.pdf`;
}

function downloadButton(doc, named = false) {
  const button = h("button", { type: "button", class: "download", onclick: () => busy(button, null, async () => {
    const response = await api("GET", `/documents/${encodeURIComponent(doc.id)}/download`, { blob: true });
    saveBlob(await response.blob(), outputName(doc));
  }) }, named ? `${t("downloadOne")} ${outputName(doc)}` : doc.format === "cades" ? t("downloadP7s")
    : doc.format === "xades" ? t("xadesDownload") : t("download"));
  return button;
}

function recent(docs) {
  return h("div", { id: "recent-docs" }, docs.length ? recentTable(docs) : h("p", {}, "—"));
}

function recentTable(docs) {
  return table([t("uxwDocument"), t("level"), t("status"), t("createdAt"), ""],
    docs.map((d) => [docName(d), d.level, word("document_statuses", d.status), fmtDate(d.created_at), d.download ? downloadButton(d) : ""]));
}

/** A document kyso made (the acceptance record) by its title and day; the customer's own
 *  files by the names they gave them. */
function docName(d) {
  return d.title ? t("uxwTitled", { title: d.title, day: fmtDate(d.created_at).slice(0, 10) }) : d.file_name;
}

function validateForm() {
  const out = status();
  const report = h("div", { id: "report" });
  const [fileField, file] = field(t("file"), { type: "file", name: "file", accept: "application/pdf,.pdf,.xml,text/xml,application/xml" },
    t("xadesValidateHint"));
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
    [t("integrity"), label("v_", s.integrity)], [t("trusted"), s.past_validation === "passed" ? t("poeTrustedThen") : yes(s.trusted)],
    [t("revocation"), s.revocation_reason === "certificate_hold" ? t("poeHeld") : label("v_", s.revocation)], [t("level"), s.level],
    [t("timestamp"), s.timestamp ? fmtDate(s.timestamp) : "—"],
    [t("coverage"), s.coverage ? label("v_", s.coverage) : "—"], ...pastRows(s)])));
}

/** Why the level, when the certificate was revoked or suspended, and whether the signature
 * still holds at the time its time stamp proves; a problem in words, never a code. */
function pastRows(s) {
  const rows = [[t("poeLevelWhy"), s.level_reason ? label("poeLevel_", s.level_reason) : "—"]];
  if (s.revoked_at) {
    const held = s.revocation_reason === "certificate_hold";
    rows.push([t(held ? "poeSuspendedAt" : "poeRevokedAt"), fmtDate(s.revoked_at)]);
    const past = label("poePast_", s.past_validation);
    rows.push([t("poeAtSigning"), s.past_validation === "passed"
      ? t("poePassed", { time: fmtDate(s.proven_at) })
      : past === s.past_validation ? t("poeTpOther") : past]);
  } else if (!s.valid && s.trust_problem) {
    const problem = label("poeTp_", s.trust_problem);
    rows.push([t("poeProblem"), problem === s.trust_problem ? t("poeTpOther") : problem]);
  }
  return rows;
}
