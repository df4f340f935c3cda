// Gia hạn: renew an active certificate in one flow — choose a certificate package, pay, and
// the payment's return page ("#renew") brings the customer straight to the SmartOTP
// confirmation; confirmed, the new certificate is issued with the package (no operator).
// A package already paid and waiting is used at once; a cancelled payment can be made again.
// The order records the certificate it renews ("renews"): the return page and this page
// follow it, and a registration's package is never taken for a renewal.
import { api, get } from "../api.js";
import { busy, card, dl, field, fmtDate, h, replace, status } from "../dom.js";
import { t } from "../i18n.js";
import { serialView } from "../serial.js";
import { vocabulary } from "../vocab.js";
import { txCard } from "./transactions.js";

const AGAIN = ["failed", "cancelled", "expired"];

export function renewButton(c, slot, rerender) {
  const button = h("button", { type: "button", class: "secondary renew", "data-cred": c.credential_id,
    onclick: () => busy(button, null, async () => replace(slot, await renewCard(c, rerender))) }, t("rnRenew"));
  return button;
}

/** "#renew": where the payment's return page lands. */
export async function renewPage(main) {
  const [certs, orders, pending, products] = await Promise.all([get("/billing/certificates"),
    get("/billing/orders?limit=50"), get("/transactions"), get("/billing/catalog"), vocabulary()]);
  const active = certs.filter((c) => c.status === "active");
  const wanted = orders.find((o) => o.purpose === "renewal")?.renews;  // newest first
  const c = active.find((x) => x.credential_id === wanted)
    || [...active].sort((a, b) => Date.parse(a.not_after) - Date.parse(b.not_after))[0];
  if (!c) {
    return replace(main, h("h1", {}, t("rnTitle")), card(t("rnTitle"), h("p", {}, t("noCerts")),
      h("a", { href: "#home", class: "button-link" }, t("navHome"))));
  }
  const home = () => { location.hash = "#home"; };
  return replace(main, h("h1", {}, t("rnTitle")), renewing(c, { orders, pending, products }, home, true));
}

async function renewCard(c, rerender) {
  const [orders, pending, products] = await Promise.all([get("/billing/orders?limit=50"),
    get("/transactions"), get("/billing/catalog")]);
  return renewing(c, { orders, pending, products }, rerender, false);
}

function renewing(c, { orders, pending, products }, after, start) {
  const mine = (o) => o.purpose === "renewal" && o.renews === c.credential_id;
  const paid = orders.find((o) => o.status === "awaiting_issuance" && mine(o))
    || orders.find((o) => o.status === "awaiting_issuance" && o.purpose === "standalone");
  const last = orders.find(mine);
  const out = status();
  const flow = h("div", { id: "renew-flow" });
  const body = paid ? usePaid(c, paid, pending, out, flow, after, start)
    : buyPackage(c, products, out, start && last && AGAIN.includes(last.status) ? last.status : null);
  return card(t("rnTitle"), dl([[t("plHolder"), c.subject], [t("serial"), serialView(c.serial)]]),
    h("p", { class: "muted", id: "renew-old" }, t("rnOldStays", { date: fmtDate(c.not_after) })),
    out, body, flow);
}

function usePaid(c, order, pending, out, flow, after, start) {
  const open = (tx) => {
    out.show(t("rnConfirm"), "ok");
    replace(flow, txCard(tx, (done) => {
      if (done.status !== "confirmed") return;
      out.show(t("rnDone"), "ok");
      replace(flow, h("p", {}, h("button", { type: "button", id: "renew-see", onclick: after }, t("rnSee"))));
    }));
    flow.querySelector("input")?.focus();
  };
  const begin = async () => {
    const waiting = pending.find((tx) => tx.kind === "certificate_renewal" && tx.details.order_id === order.id);
    open(waiting || await api("POST", `/billing/certificates/${encodeURIComponent(c.credential_id)}/renew`,
      { json: { order_id: order.id } }));
    button.remove();
  };
  const button = h("button", { type: "button", id: "renew-confirm", onclick: () => busy(button, out, begin) }, t("rnUse"));
  if (start) queueMicrotask(() => busy(button, out, begin));  // back from the payment: straight on
  return [h("p", { id: "renew-order" }, t(start ? "rnPaidNow" : "rnPaid", { name: order.name })), button];
}

function buyPackage(c, products, out, failed) {
  const packages = products.filter((p) => p.kind === "certificate" && !p.once_per_account);
  const [choiceField, choice] = field(t("rnPackage"), { tag: "select", name: "package",
    options: packages.map((p) => h("option", { value: p.code }, p.name)) });
  const button = h("button", { type: "button", id: "renew-pay", onclick: () => busy(button, out, async () => {
    const order = await api("POST", "/billing/orders", { json: { product: choice.value, renews: c.credential_id } });
    out.show(t("redirecting"), "ok");
    location.assign(order.payment_url);
  }) }, t("rnPay"));
  return [failed ? h("p", { class: "status error", id: "renew-again" }, t("rnPayAgain", { status: t(`obOrder_${failed}`) })) : null,
    h("p", {}, t("rnOneFlow")), choiceField, button];
}
