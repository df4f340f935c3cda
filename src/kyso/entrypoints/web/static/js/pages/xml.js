// An XML document to sign (a Vietnamese e-invoice, a tax form): previewed from the file in
// the browser — the main fields of an e-invoice (HDon), otherwise its text — then signed
// inside itself (XAdES, enveloped) after the OTP confirmation. Nothing here is HTML: every
// value is shown as text.
import { api } from "../api.js";
import { busy, dl, h, replace, status, table, vnd } from "../dom.js";
import { t } from "../i18n.js";

export const XADES_LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"];
export const isXml = (file) => /\.xml$/i.test(file.name) || /[/+]xml$/i.test(file.type || "");
const MAX_TEXT = 3000;  // characters of a document shown as text

/** The preview and the "sign" button; ``confirm(flow, upload)`` takes over after the upload. */
export async function xmlStep(flow, file, level, confirm) {
  const text = await file.text();
  const out = status();
  const button = h("button", { type: "button", id: "xades-send" }, t("xadesSend"));
  button.addEventListener("click", () => busy(button, out, async () => {
    const body = new FormData();
    body.append("file", file, file.name);
    const q = new URLSearchParams({ format: "xades", level });
    confirm(flow, await api("POST", `/documents?${q}`, { body }));
  }));
  replace(flow, h("section", { class: "card xades", id: "xades-preview" },
    h("h2", {}, t("xadesTitle", { name: file.name })),
    h("p", { class: "hint" }, t("xadesWhat", { level })), preview(text), out, button));
  button.focus();
}

function preview(text) {
  // a DTD or entity is never handed to the browser's parser; the server refuses such files
  const hostile = /<!\s*(DOCTYPE|ENTITY)/i.test(text);
  const doc = hostile ? null : new DOMParser().parseFromString(text, "application/xml");
  const root = doc && !doc.getElementsByTagName("parsererror").length ? doc.documentElement : null;
  if (root && root.localName === "HDon") return invoice(root);
  const shown = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}\n…` : text;
  return h("div", {}, h("p", { class: "hint" }, t("xadesAsText")),
    h("pre", { class: "xades-text", tabindex: 0, "aria-label": t("xadesAsText") }, shown));
}

/** The child of ``node`` at ``path`` (local names, "/"-separated), or null. */
function at(node, path) {
  let here = node;
  for (const name of path.split("/")) {
    here = here && [...here.children].find((c) => c.localName === name);
  }
  return here || null;
}

const text = (node, path) => at(node, path)?.textContent.trim() || null;

function money(value) {
  return value && /^-?\d+(\.\d+)?$/.test(value) ? vnd(Number(value)) : value;
}

function day(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value || "");
  return m ? `${m[3]}/${m[2]}/${m[1]}` : value;
}

function invoice(root) {
  const info = at(root, "DLHDon/TTChung");
  const body = at(root, "DLHDon/NDHDon");
  const symbol = [text(info, "KHMSHDon"), text(info, "KHHDon")].filter(Boolean).join("");
  const items = at(body, "DSHHDVu") ? [...at(body, "DSHHDVu").children] : [];
  return h("div", { id: "xades-invoice" },
    h("p", { class: "xades-kind" }, text(info, "THDon") || t("xadesInvoice")),
    dl([[t("xadesSymbol"), symbol || null], [t("xadesNumber"), text(info, "SHDon")],
      [t("xadesDate"), day(text(info, "NLap"))],
      [t("xadesSeller"), text(body, "NBan/Ten")], [t("xadesSellerTax"), text(body, "NBan/MST")],
      [t("xadesBuyer"), text(body, "NMua/Ten") || text(body, "NMua/HVTNMHang")],
      [t("xadesBuyerTax"), text(body, "NMua/MST")],
      [t("xadesTotal"), money(text(body, "TToan/TgTTTBSo"))],
      [t("xadesInWords"), text(body, "TToan/TgTTTBChu")]]),
    items.length ? table([t("xadesItem"), t("xadesQty"), t("xadesAmount")],
      items.map((i) => [text(i, "THHDVu") || "—", text(i, "SLuong") || "—", money(text(i, "ThTien")) || "—"])) : null);
}
