// A signature's public verification page (/v/<id>) and its signing receipt (.p7m), shown
// right after signing: what the customer hands a counterparty, and keeps.
import { api, get } from "../api.js";
import { busy, h, saveBlob, status } from "../dom.js";
import { t } from "../i18n.js";

export async function receiptLinks(documentId) {
  let record;
  try {
    record = (await get("/receipts")).find((r) => r.document_id === documentId);
  } catch { return []; }
  if (!record) return [];
  const out = status();
  const links = [h("a", { href: `/v/${record.id}`, target: "_blank", rel: "noopener", id: "verify-link" }, t("verify.page"))];
  if (record.receipt) {
    const button = h("button", { type: "button", class: "secondary", id: "receipt-download", onclick: () => busy(button, out, async () => {
      const response = await api("GET", `/receipts/${encodeURIComponent(record.id)}`, { blob: true });
      saveBlob(await response.blob(), `${t("verify.receiptFile")}-${record.id}.p7m`);
    }) }, t("verify.receipt"));
    links.push(button, out);
  }
  return [h("div", { class: "history-signature" }, ...links)];
}
