// Live requests: one stream of the pending transactions (GET /api/v1/events, Server-Sent
// Events read with fetch so the bearer session stays in a header) while someone is logged in.
// A new request gives a badge on "Giao dịch chờ xác nhận" and an in-app notice; the open
// transactions page adds its card at once ("kyso:pending" event), without a reload.
// The badge follows the customer too: a request decided here leaves it at once, and a return
// to the app (tab shown again, another page opened) counts again, stream or no stream.
import { get, session } from "../api.js";
import { h } from "../dom.js";
import { label, lang, t } from "../i18n.js";

let count = 0;
let pending = new Set();  // the ids pending now, as last heard: the stream, a page, an action
let known = null;  // ids seen so far in this stream; null until the first event
let running = null;

export function live() {
  new MutationObserver(paint).observe(document.getElementById("top"), { childList: true, subtree: true });
  setInterval(() => { if (session() && !running) running = follow().finally(() => { running = null; }); }, 1000);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") recount(); });
  window.addEventListener("pageshow", (e) => { if (e.persisted) recount(); });  // back from the gateway
  window.addEventListener("hashchange", recount);
}

/** The list of pending transactions a page just read: the badge says the same. */
export function pendingNow(items) {
  pending = new Set(items.map((tx) => tx.id));
  count = pending.size;
  paint();
}

/** The customer confirmed or rejected ``id`` here (or it ended): off the badge now. */
export function decidedHere(id) {
  pending.delete(id);
  known?.delete(id);
  count = pending.size;
  paint();
  if (known) stale();
}

async function recount() {
  if (!session()) return;
  try { pendingNow(await get("/transactions")); } catch { /* offline: the stream says it later */ }
}

async function follow() {
  const s = session();
  const abort = new AbortController();
  const watch = setInterval(() => { if (session()?.token !== s.token) abort.abort(); }, 1000);
  try {
    const response = await fetch("/api/v1/events", { signal: abort.signal, credentials: "omit",
      headers: { Authorization: `Bearer ${s.token}`, Accept: "text/event-stream", "Accept-Language": lang() } });
    if (!response.ok) { await new Promise((ok) => setTimeout(ok, 5000)); return; }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        handle(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
      }
    }
  } catch {  // offline or logged out: the timer tries again, after a pause
    await new Promise((ok) => setTimeout(ok, 5000));
  } finally {
    clearInterval(watch);
    known = null;
    delete document.documentElement.dataset.live;
  }
}

function handle(block) {
  const lines = block.split("\n");
  const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
  const data = lines.filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
  if (event !== "pending") return;
  const { items } = JSON.parse(data);
  const fresh = known === null ? [] : items.filter((tx) => !known.has(tx.id) && !quiet(tx));
  known = new Set(items.map((tx) => tx.id));
  stale();
  document.documentElement.dataset.live = "open";
  pendingNow(items);
  if (fresh.length) {
    if (location.hash !== "#transactions") notice(fresh);  // there, the card itself appears
    window.dispatchEvent(new CustomEvent("kyso:pending", { detail: fresh }));
  }
}

/** Not news: the token's own PIN-change proof, or a transaction already on screen. */
function quiet(tx) {
  return tx.kind === "smartotp_pin_change"
    || Boolean(document.querySelector(`article[data-id="${CSS.escape(tx.id)}"]`));
}

function paint() {
  const link = document.querySelector('#top a[href="#transactions"]');
  if (!link) return;
  const badge = link.querySelector(".live-badge");
  if (!count) { badge?.remove(); return; }
  if (badge) {
    if (badge.textContent !== String(count)) {
      badge.textContent = String(count);
      badge.setAttribute("aria-label", t("liveCount", { n: count }));
    }
    return;
  }
  link.append(" ", h("span", { class: "badge live-badge", "aria-label": t("liveCount", { n: count }) }, String(count)));
}

/** A notice whose requests are all decided (here or elsewhere) goes away. */
function stale() {
  const box = document.getElementById("live-notice");
  if (box && !box.dataset.ids.split(" ").some((id) => known.has(id))) box.remove();
}

function notice(fresh) {
  document.getElementById("live-notice")?.remove();
  const what = fresh.map((tx) => tx.details.transaction_desc || label("k_", tx.kind)).join(" · ");
  const close = h("button", { type: "button", class: "link", onclick: () => box.remove() }, t("liveDismiss"));
  const box = h("div", { class: "status info live-notice", id: "live-notice", "aria-live": "polite",
    "data-ids": fresh.map((tx) => tx.id).join(" ") },
    h("strong", {}, t("liveNew")), " ", what, " ",
    h("a", { href: "#transactions", onclick: () => box.remove() }, t("liveOpen")), " ", close);
  document.getElementById("main").prepend(box);
}
