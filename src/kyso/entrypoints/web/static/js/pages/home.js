// Home: SmartOTP status and method, certificates with "lượt ký khả dụng", the inbox.
import { get, post } from "../api.js";
import { busy, card, dl, fmtDate, h, replace, status, table } from "../dom.js";
import { t } from "../i18n.js";
import { vocabulary, word } from "../vocab.js";
import { pendingNow } from "../token/live.js";
import { serialView } from "../serial.js";
import { renewButton } from "./renew.js";
import { deviceText, tokenPlace } from "./smartotp.js";

export async function home(main, { account, rerender }) {
  const [otp, certs, notes, pending, envelopes] = await Promise.all([get("/smartotp"),
    get("/billing/certificates"), get("/notifications?limit=20"), get("/transactions"),
    get("/multisign").catch(() => []), vocabulary()]);
  pendingNow(pending);
  const waiting = envelopes.filter((e) => e.my_turn).length;
  const where = await tokenPlace(otp);
  replace(main, h("h1", {}, `${t("hello")}, ${account.full_name}`),
    where.revoked ? h("p", { class: "status warn", role: "alert", id: "token-revoked" }, t("tkRevokedHere")) : null,
    pending.length ? h("p", { class: "status info", id: "pending-banner" },
      h("a", { href: "#transactions" }, t("pendingCount", { n: pending.length }))) : null,
    waiting ? h("p", { class: "status info", id: "ms-banner" },
      h("a", { href: "#multisign" }, t(waiting === 1 ? "msBanner1" : "msBanner", { n: waiting }))) : null,
    certificates(certs, rerender), h("div", { class: "grid" }, smartotp(otp, where.place), inbox(notes)));
}

function smartotp(otp, place) {
  const methods = Object.entries(otp.methods).map(([m, s]) =>
    h("li", { "data-method": m }, t(`m_${m}`), s.locked ? h("span", { class: "badge warn" }, t("lockedMethod")) : null));
  return card(t("smartotp"), dl([
    [t("tokenStatus"), h("span", { class: `badge st-${otp.status}`, id: "otp-status" }, t(`st_${otp.status}`))],
    [t("otpMethod"), h("span", { id: "otp-method" }, t(`m_${otp.otp_method}`))],
    otp.status === "none" ? null : [t("tkHolder"), h("span", { id: "token-device" }, deviceText(otp, place))],
    otp.activated_at ? [t("activatedAt"), fmtDate(otp.activated_at)] : null,
    [t("methods"), h("ul", { class: "plain" }, methods)],
  ]), h("p", {}, h("a", { href: "#smartotp", id: "manage-token" }, t("tkManage"))));
}

// The certificate card first, "lượt ký khả dụng" first in it, with the way to buy more.
// "Gia hạn" on each active certificate opens the renewal below the table.
function certificates(certs, rerender) {
  if (!certs.length) return card(t("certs"), h("p", {}, t("noCerts")), h("a", { href: "#register" }, t("navRegister")));
  const renewal = h("div", { id: "renewal" });
  return card(t("certs"), table(
    [t("available"), t("subject"), t("package"), t("validTo"), t("status"), t("serial"), ""],
    certs.map((c) => [
      h("strong", { class: "available" }, c.unlimited ? t("unlimited") : String(c.available_signatures)),
      c.subject, c.package || t("ux4NoPackage"), fmtDate(c.not_after),
      word("certificate_statuses", c.status), serialView(c.serial),
      c.status === "active" ? renewButton(c, renewal, rerender) : ""])),
  h("a", { href: "#buy", class: "buy-link" }, t("buyMore")), renewal);
}

function inbox(notes) {
  const list = h("ul", { class: "inbox" }, notes.map((n) => h("li", { class: n.read ? "read" : "new" },
    h("p", { class: "title" }, n.title, n.read ? null : h("span", { class: "badge" }, t("unread"))),
    h("p", {}, n.body), h("p", { class: "muted" }, fmtDate(n.created_at)))));
  const out = status();  // offline or refused: said under the list, never silently nothing
  const button = h("button", { type: "button", class: "secondary", id: "mark-all", onclick: () => busy(button, out, async () => {
    await post("/notifications/read-all");
    list.querySelectorAll(".badge").forEach((b) => b.remove());
  }) }, t("markAll"));
  return card(t("inbox"), notes.length ? [list, out, button] : h("p", {}, t("noNotes")));
}
