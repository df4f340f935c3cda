// Several signers on one PDF: what waits for my signature; a new request (upload, name the
// signers by the email or phone they registered, drag each one's box, order, deadline, send);
// one request's progress, its preview, sign with my SmartOTP, decline, cancel, download.
import { api, get, post } from "../api.js";
import { ask, busy, card, dl, field, fmtDate, h, replace, saveBlob, status, table } from "../dom.js";
import { t } from "../i18n.js";
import { placement, signaturePad } from "./placement.js";
import { txCard } from "./transactions.js";

const BASE = "/multisign";
const path = (id, rest = "") => `${BASE}/${encodeURIComponent(id)}${rest}`;
let shownLast = 0;  // the latest view asked for: a slower, older one is not drawn over it

export async function multisign(main) {
  const list = await get(BASE);
  const view = h("div", { id: "ms-view" });
  replace(main, h("h1", {}, t("msTitle")), view);
  overview(view, list);
}

function overview(view, list) {
  shownLast += 1;
  const mine = list.filter((e) => e.my_turn);
  const flow = h("div", { id: "ms-flow" });
  replace(view, h("p", { class: "hint" }, t("msIntro")),
    card(t("msWaiting"), mine.length
      ? h("ul", { class: "plain ms-waiting", id: "ms-waiting" }, mine.map((e) => h("li", {},
        h("strong", {}, e.file_name), h("span", { class: "muted" }, ` — ${t("msSentBy")}: ${e.initiator_name || ""}`),
        h("button", { type: "button", class: "ms-open", onclick: () => detail(view, e.id) }, t("msSignNow")))))
      : h("p", { id: "ms-none-waiting" }, t("msNoneWaiting"))),
    newForm(view, flow), flow,
    card(t("msAll"), list.length ? table([t("msFile"), t("msStatus"), t("msSigners"), ""],
      list.map((e) => [e.file_name, statusBadge(e), t("msProgress", { n: e.signed, of: e.signers.length }),
        h("button", { type: "button", class: "secondary ms-open", onclick: () => detail(view, e.id) }, t("msOpen"))]))
      : h("p", {}, t("msNone"))));
}

function statusBadge(e) {
  return h("span", { class: `badge ms-st ms-st-${e.status}` }, t(`msSt_${e.status}`));
}

function newForm(view, flow) {
  const out = status();
  const [fileField, file] = field(t("msFile"), { type: "file", name: "file", accept: "application/pdf,.pdf" });
  const button = h("button", { type: "submit" }, t("msUpload"));
  return h("form", { class: "card", id: "ms-new", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const pdf = file.files[0];
    if (!pdf) { out.show(t("needPdf")); file.focus(); return; }
    if (!pdf.size) { out.show(t("ux3EmptyFile", { name: pdf.name })); file.focus(); return; }
    if (!/\.pdf$/i.test(pdf.name) && pdf.type !== "application/pdf") { out.show(t("notPdf")); file.focus(); return; }
    busy(button, out, async () => {
      const body = new FormData();
      body.append("file", pdf, pdf.name);
      await placeStep(view, flow, await api("POST", BASE, { body }));
    });
  } }, h("h2", {}, t("msNew")), out, fileField, button);
}

/** The default box of signer ``n`` (0-based): the free spot, moved left (then up) so that
 *  the boxes do not overlap. */
function spot(layout, n) {
  const [x1, y1, x2, y2] = layout.box;
  const w = x2 - x1, hgt = y2 - y1, page = layout.pages[layout.page - 1];
  const perRow = Math.max(1, Math.floor(x2 / (w + 8)));
  const col = n % perRow, row = Math.floor(n / perRow);
  const x = Math.max(0, x1 - col * (w + 8)), y = Math.min(page.height - hgt, y1 + row * (hgt + 8));
  return [x, y, x + w, y + hgt];
}

async function placeStep(view, flow, envelope) {
  replace(flow, h("p", { class: "status info", role: "status" }, t("loadingPage")));
  const layout = await get(path(envelope.id, "/layout"));
  const rows = h("div", { id: "ms-signers" });
  const signers = [];
  const out = status();

  function addSigner() {
    if (signers.length >= 10) { out.show(t("msTooMany")); return; }
    const n = signers.length;
    const [loginField, login] = field(t("msLogin"), { name: `login-${n + 1}`, type: "text",
      autocomplete: "off", inputmode: "email", class: "ms-login" }, t("msLoginHint"));
    const where = placement(envelope, { ...layout, box: spot(layout, n) }, BASE, `-${n + 1}`);
    const row = h("fieldset", { class: "ms-signer card" }, h("legend", {}, t("msSignerN", { n: n + 1 })),
      loginField, where);
    const entry = { login, where, row };
    if (n > 0) {
      row.append(h("button", { type: "button", class: "secondary", onclick: () => {
        where.dispose(); row.remove(); signers.splice(signers.indexOf(entry), 1); renumber();
      } }, t("msRemove")));
    }
    signers.push(entry);
    rows.append(row);
    return entry;
  }
  function renumber() {
    signers.forEach((s, i) => { s.row.querySelector("legend").textContent = t("msSignerN", { n: i + 1 }); });
  }

  const [modeField, mode] = field(t("msMode"), { tag: "select", name: "mode", options: [
    h("option", { value: "sequential" }, t("msSequential")), h("option", { value: "parallel" }, t("msParallel"))] });
  const [daysField, days] = field(t("msExpiry"), { tag: "select", name: "days", options: [3, 7, 14, 30].map((n) =>
    h("option", { value: n, selected: n === 7 }, t("msDays", { n }))) });
  const [levelField, level] = field(t("level"), { tag: "select", name: "level", options: ["B-T", "B-LT", "B-B"].map((l) =>
    h("option", { value: l }, t(`msLevel_${l}`))) }, t("levelHint"));
  const add = h("button", { type: "button", class: "secondary", id: "ms-add", onclick: () => {
    const entry = addSigner();
    entry?.login.focus();
  } }, t("msAdd"));
  const send = h("button", { type: "submit", id: "ms-send" }, t("msSend"));
  const form = h("form", { class: "card", id: "ms-place", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const empty = signers.findIndex((s) => !s.login.value.trim());
    if (empty >= 0) { out.show(t("msNeedLogin", { n: empty + 1 })); signers[empty].login.focus(); return; }
    busy(send, out, async () => {
      const body = { mode: mode.value, level: level.value, expires_in_days: Number(days.value),
        signers: signers.map((s) => ({ login: s.login.value.trim(), ...s.where.value() })) };
      const sent = await api("POST", path(envelope.id, "/send"), { json: body });
      signers.forEach((s) => s.where.dispose());
      await detail(view, sent.id, t(sent.mode === "parallel" ? "msSentAll" : "msSentFirst",
        { name: sent.signers[0]?.name || "" }));
      window.scrollTo(0, 0);
    });
  } }, h("h2", {}, envelope.file_name), h("h3", {}, t("msSigners")), rows, add, modeField, levelField, daysField, out, send);
  addSigner();
  addSigner();
  replace(flow, form);
  await Promise.all(signers.map((s) => s.where.ready));
  signers[0].login.focus();
}

function signerLine(s) {
  const state = s.status === "signed" ? t("msSg_signed", { at: fmtDate(s.signed_at) })
    : s.status === "declined" ? t("msSg_declined", { why: s.declined_reason || "" })
      : s.turn ? t(s.me ? "msSg_myTurn" : "msSg_turn") : t(`msSg_${s.status}`);
  return h("li", { class: `ms-signer-line ms-sg-${s.status}${s.turn ? " ms-turn" : ""}` },
    h("strong", {}, `${s.position}. ${s.name}`), s.me ? ` ${t("msYou")}` : "",
    s.login ? h("span", { class: "muted" }, ` (${s.login})`) : "",
    h("br"), h("span", { class: "ms-state" }, state),
    s.verify ? [h("br"), h("a", { href: s.verify, target: "_blank", rel: "noopener", class: "ms-verify" }, t("msVerify"))] : "");
}

async function detail(view, id, notice = null, tone = "ok") {
  const mine = ++shownLast;
  const e = await get(path(id));
  const flow = h("div", { id: "ms-sign-flow" });
  const out = status();
  const back = h("button", { type: "button", class: "secondary", id: "ms-back", onclick: async () => overview(view, await get(BASE)) }, t("msBack"));
  const actions = h("div", { class: "actions" });
  // my own stamp: a handwritten signature (drawn or uploaded), a reason and a place
  const pad = e.my_turn ? signaturePad() : null;
  const [reasonField, reason] = field(t("reason"), { name: "reason", maxlength: 100 }, t("msReasonHint"));
  const [placeField, place] = field(t("location"), { name: "location", maxlength: 100 });
  if (e.my_turn) {
    const signNow = h("button", { type: "button", id: "ms-sign", onclick: () => busy(signNow, out, async () => {
      const stamp = {};
      if (reason.value.trim()) stamp.reason = reason.value.trim();
      if (place.value.trim()) stamp.location = place.value.trim();
      const image = await pad.value();
      if (image) stamp.image = image;
      const chosen = image ? h("figure", { class: "ms-chosen", id: "ms-chosen" },
        h("img", { src: `data:image/png;base64,${image}`, alt: t("tx.image") }),
        h("figcaption", { class: "muted" }, t("msChosenImage"))) : null;
      const started = await api("POST", path(id, "/sign"), { json: stamp });
      actions.remove();
      stampBox.remove();
      replace(flow, h("h2", {}, t("msConfirm")), h("p", { class: "hint" }, t("msConfirmHint")), chosen,
        txCard(started.transaction, async (tx) => {
          const now = await get(path(id));
          const notice = tx.status === "confirmed"
            ? (now.status === "completed" ? t("msAllDone") : t("msSignedOk"))
            : t("msNotSigned");  // rejected: back to the document, still waiting for me
          await detail(view, id, notice, tx.status === "confirmed" ? "ok" : "info");
          window.scrollTo(0, 0);
        }));
      flow.querySelector("input")?.focus();
    }) }, t("msSignNow"));
    actions.append(signNow, declineButton(view, id, actions));
  }
  if (e.initiator && e.status === "open") {
    const cancel = h("button", { type: "button", class: "danger", id: "ms-cancel", onclick: () => ask(cancel, t("msAskCancel"), t("msCancelYes"),
      () => busy(cancel, out, async () => { await post(path(id, "/cancel"), {}); await detail(view, id); })) }, t("msCancel"));
    actions.append(cancel);
  }
  const pages = await preview(e, e.my_turn ? e.signers.find((x) => x.me) : null);
  if (mine !== shownLast) return;  // the customer went elsewhere meanwhile
  const stampBox = h("div", { id: "ms-stamp" }, h("h3", {}, t("msStamp")), h("p", { class: "hint" }, t("msStampHint")),
    pad, reasonField, placeField);
  const turn = e.my_turn ? h("section", { class: "card", id: "ms-turn" }, h("h2", {}, t("msYourSignature")),
    h("p", { class: "hint" }, t("msReadFirst")),
    h("p", { id: "ms-where" }, t("msWhere", { n: e.signers.find((x) => x.me)?.page ?? 1 })), stampBox, out, actions) : null;
  replace(view, back, notice ? h("p", { class: `status ${tone}`, role: "status", id: "ms-signed" }, notice) : null,
    h("section", { class: "card", id: "ms-detail", "data-status": e.status },
    h("h2", {}, e.file_name), statusBadge(e),
    dl([[t("msSentBy"), e.initiator_name || ""], [t("msMode"), t(`msModeShort_${e.mode}`)], [t("level"), t(`msLevel_${e.level}`)],
      [t("msStatus"), t("msProgress", { n: e.signed, of: e.signers.length })],
      e.status === "open" && e.expires_at ? [t("msExpires"), fmtDate(e.expires_at)] : null,
      e.finished_at ? [t(e.status === "completed" ? "msFinished" : "msEnded"), fmtDate(e.finished_at)] : null,
      e.note ? [t("msReason"), e.note] : null]),
    h("ol", { class: "plain ms-progress", id: "ms-progress" }, e.signers.map(signerLine)),
    e.download ? downloadButton(e) : null, turn ? null : [out, actions]),
  pages, turn, flow);
  if (e.status === "open" && !e.my_turn) follow(view, e, view.querySelector("#ms-detail"));
}

/** Where my signature goes, drawn over the page (the box is in PDF points from the
 *  page's lower left; an unrotated page only). */
function myBox([x1, y1, x2, y2], page) {
  const pct = (v, of) => `${(100 * v / of).toFixed(2)}%`;
  const box = h("div", { class: "ms-my-box", id: "ms-my-box", "aria-hidden": "true" }, t("msMyBox"));
  Object.assign(box.style, { left: pct(x1, page.width), top: pct(page.height - y2, page.height),
    width: pct(x2 - x1, page.width), height: pct(y2 - y1, page.height) });  // no inline style (CSP)
  return box;
}

/** While a request is open and nothing is asked of me here, its progress follows the
 *  signers: the page is drawn again when someone signs, declines or it ends. */
function follow(view, e, shown) {
  const again = async () => {
    if (!shown.isConnected) return;
    let now = null;
    try { now = await get(path(e.id)); } catch { /* offline for a moment: try later */ }
    if (!shown.isConnected) return;
    if (now && (now.signed !== e.signed || now.status !== e.status)) { await detail(view, e.id); return; }
    setTimeout(again, 10_000);
  };
  setTimeout(again, 10_000);
}

function declineButton(view, id, actions) {
  const button = h("button", { type: "button", class: "secondary", id: "ms-decline", onclick: () => {
    const out = status();
    const [reasonField, reason] = field(t("msDeclineReason"), { tag: "textarea", name: "reason", maxlength: 200 });
    const go = h("button", { type: "submit", class: "danger" }, t("msDeclineSend"));
    const form = h("form", { class: "ms-decline", novalidate: true, onsubmit: (ev) => {
      ev.preventDefault();
      if (!reason.value.trim()) { out.show(t("msNeedReason")); reason.focus(); return; }
      busy(go, out, async () => {
        await post(path(id, "/decline"), { reason: reason.value.trim() });
        await detail(view, id);
      });
    } }, reasonField, out, go);
    actions.after(form);
    reason.focus();
  } }, t("msDecline"));
  return button;
}

function downloadButton(e) {
  const done = e.status === "completed";
  const button = h("button", { type: "button", class: "download", id: "ms-download", onclick: () => busy(button, null, async () => {
    const response = await api("GET", path(e.id, "/download"), { blob: true });
    saveBlob(await response.blob(), `${e.file_name.replace(/\.pdf$/i, "")}-${done ? "signed" : e.signed}.pdf`);
  }) }, done ? t("msDownload") : t("msDownloadNow", { n: e.signed }));
  return button;
}

/** The file as it stands, page by page (with the signatures made so far), loaded before
 *  it is shown. */
async function preview(e, me = null) {
  const layout = await get(path(e.id, "/layout"));
  const figures = await Promise.all(layout.pages.map(async (p) => {
    const response = await api("GET", path(e.id, `/pages/${p.number}.png`), { blob: true });
    const img = h("img", { class: "page-img ms-page", alt: t("msPage", { n: p.number }),
      src: URL.createObjectURL(await response.blob()) });
    await img.decode().catch(() => null);
    const mine = me && me.box && me.page === p.number && !p.rotation ? myBox(me.box, p) : null;
    return h("figure", {}, h("div", { class: "ms-page-wrap" }, img, mine),
      h("figcaption", { class: "muted" }, t("msPage", { n: p.number })));
  }));
  return card(t("msPreview"), h("div", { class: "ms-pages", id: "ms-pages" }, figures));
}
