// A signature's public verification page (/v/<id>) and its signing receipt (.p7m), shown
// right after signing: what the customer hands a counterparty, and keeps. The receipt is
// made by kyso's worker a moment after the signature: until then "Đang tạo biên nhận…",
// and the page asks again every 2 seconds (for a minute) until it can offer the download.
import { api, get } from "../api.js";
import { busy, h, replace, saveBlob, status } from "../dom.js";
import { t } from "../i18n.js";

const POLL_MS = 2000, POLLS = 30;

async function recordOf(documentId) {
  return (await get("/receipts")).find((r) => r.document_id === documentId);
}

function download(record) {
  const out = status();
  const button = h("button", { type: "button", class: "secondary", id: "receipt-download", onclick: () => busy(button, out, async () => {
    const response = await api("GET", `/receipts/${encodeURIComponent(record.id)}`, { blob: true });
    saveBlob(await response.blob(), `${t("verify.receiptFile")}-${record.id}.p7m`);
  }) }, t("verify.receipt"));
  return [button, out];
}

function pending(documentId) {
  const holder = h("span", { id: "receipt-pending", class: "muted", role: "status" }, t("verify.receiptPending"));
  let polls = 0;
  const poll = async () => {
    if (!holder.isConnected) return;  // the customer has left the page
    polls += 1;
    let record;
    try { record = await recordOf(documentId); } catch { record = null; }
    if (record && record.receipt) {
      replace(holder, ...download(record));
      holder.removeAttribute("class");
      holder.removeAttribute("id");
      return;
    }
    if (polls >= POLLS) { replace(holder, t("verify.receiptSlow")); return; }
    setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
  return holder;
}

export async function receiptLinks(documentId) {
  let record;
  try {
    record = await recordOf(documentId);
  } catch { return []; }
  if (!record) return [];
  const links = [h("a", { href: `/v/${record.id}`, target: "_blank", rel: "noopener", id: "verify-link" }, t("verify.page"))];
  if (record.receipt) links.push(...download(record));
  else if (record.receipt_pending) links.push(pending(documentId));
  return [h("div", { class: "history-signature" }, ...links)];
}
