// History: every transaction, signature, payment and signature-count change, newest first,
// filtered by category and period, and kept as a CSV.
import { api, get } from "../api.js";
import { busy, card, field, fmtDate, h, replace, saveBlob, status, table } from "../dom.js";
import { t } from "../i18n.js";
import { vocabulary, word } from "../vocab.js";

const CATEGORIES = ["transaction", "signature", "payment", "quota"];

export async function history(main) {
  await vocabulary();
  const out = status();
  const list = h("div", { id: "history-list" });
  const [categoryField, category] = field(t("hCategory"), { tag: "select", name: "category",
    options: [h("option", { value: "" }, t("hAll")),
      ...CATEGORIES.map((c) => h("option", { value: c }, word("history_categories", c)))] });
  const [sinceField, since] = field(t("hSince"), { type: "date", name: "since" });
  const [untilField, until] = field(t("hUntil"), { type: "date", name: "until" });
  const query = (format) => {
    const q = new URLSearchParams({ format });
    if (category.value) q.set("category", category.value);
    if (since.value) q.set("since", new Date(`${since.value}T00:00:00`).toISOString());
    if (until.value) q.set("until", new Date(new Date(`${until.value}T00:00:00`).getTime() + 86400000).toISOString());
    return `/history?${q}`;
  };
  const show = h("button", { type: "submit" }, t("hShow"));
  const csv = h("button", { type: "button", class: "secondary", id: "history-csv", onclick: () => busy(csv, out, async () => {
    const response = await api("GET", query("csv"), { blob: true });
    saveBlob(await response.blob(), "kyso-lich-su.csv");
  }) }, t("hCsv"));
  const load = () => {
    const wrong = [since, until].find((d) => d.wrongDate());
    if (wrong) { out.show(t("dateWrong")); wrong.focus(); return undefined; }
    out.clear();
    return fetchEntries();
  };
  const fetchEntries = () => busy(show, out, async () => {
    replace(list, h("p", { class: "status info", role: "status" }, t("loading")));
    try { draw(list, await get(query("json"))); } catch (err) {  // not "Đang tải…" for ever
      replace(list, h("p", { class: "empty", id: "history-failed" }, t("ux3HistoryFailed")));
      throw err;
    }
  });
  const form = h("form", { class: "card filters", novalidate: true, onsubmit: (e) => { e.preventDefault(); load(); } },
    out, categoryField, sinceField, untilField, h("div", { class: "actions" }, show, csv));
  replace(main, h("h1", {}, t("hTitle")), form, card(t("hEntries"), list));
  await load();
}

function draw(el, entries) {
  if (!entries.length) { replace(el, h("p", { class: "empty" }, t("hNone"))); return; }
  const signed = (n) => (n === null ? "—" : n > 0 ? `+${n}` : String(n));
  replace(el, table([t("hAt"), t("hWhat"), t("hOutcome"), t("hDescription"), t("hCount"), t("hAmount")],
    entries.map((e) => [fmtDate(e.at), `${e.category_label}: ${e.label}`,
      h("span", { class: `badge hs-${e.status}` }, e.outcome), describe(e), signed(e.count),
      e.amount === null ? "—" : `${new Intl.NumberFormat("vi-VN").format(e.amount)} ₫`])));
  // on a phone each entry is a stack of "label: value" lines: an empty one is left out
  el.querySelectorAll("td").forEach((td) => { if (td.textContent === "—") td.classList.add("none"); });
}

// a signature's description, with its public verification page and its signing receipt
function describe(e) {
  const text = e.description || "—";
  if (!e.verify && !e.receipt && !e.receipt_pending) return text;
  const links = [];
  if (e.verify) links.push(h("a", { href: e.verify, target: "_blank", rel: "noopener", class: "history-verify" }, t("verify.page")));
  if (e.receipt) {
    const out = status();
    const button = h("button", { type: "button", class: "secondary history-receipt", onclick: () => busy(button, out, async () => {
      const response = await api("GET", e.receipt.replace(/^\/api\/v1/, ""), { blob: true });
      saveBlob(await response.blob(), `${t("verify.receiptFile")}-${e.receipt.split("/").pop()}.p7m`);
    }) }, t("verify.receipt"));
    links.push(button, out);
  } else if (e.receipt_pending) {  // kyso's worker makes it a moment after the signature
    links.push(h("span", { class: "muted history-receipt-pending" }, t("verify.receiptPending")));
  }
  return h("div", { class: "history-signature" }, h("span", {}, text), ...links);
}
