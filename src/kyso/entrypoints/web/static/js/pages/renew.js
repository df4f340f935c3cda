// Gia hạn: renew an active certificate — pay a certificate package (or use one already paid
// and waiting), then confirm with SmartOTP; the new certificate appears on the home page.
import { api, get } from "../api.js";
import { busy, card, dl, field, fmtDate, h, replace, status } from "../dom.js";
import { t } from "../i18n.js";
import { txCard } from "./transactions.js";

export function renewButton(c, slot, rerender) {
  const button = h("button", { type: "button", class: "secondary renew", "data-cred": c.credential_id,
    onclick: () => busy(button, null, async () => replace(slot, await renewCard(c, rerender))) }, t("rnRenew"));
  return button;
}

async function renewCard(c, rerender) {
  const [products, orders] = await Promise.all([get("/billing/catalog"), get("/billing/orders?limit=50")]);
  const paid = orders.find((o) => o.status === "awaiting_issuance");
  const out = status();
  const flow = h("div");
  const body = paid ? usePaid(c, paid, out, flow, rerender) : buyPackage(products, out);
  return card(t("rnTitle"), dl([[t("serial"), c.serial]]),
    h("p", { class: "muted", id: "renew-old" }, t("rnOldStays", { date: fmtDate(c.not_after) })),
    out, body, flow);
}

function usePaid(c, order, out, flow, rerender) {
  const button = h("button", { type: "button", id: "renew-confirm", onclick: () => busy(button, out, async () => {
    const tx = await api("POST", `/billing/certificates/${encodeURIComponent(c.credential_id)}/renew`,
      { json: { order_id: order.id } });
    button.remove();
    out.show(t("rnConfirm"), "ok");
    replace(flow, txCard(tx, (done) => {
      if (done.status !== "confirmed") return;
      out.show(t("rnDone"), "ok");
      replace(flow, h("p", {}, h("button", { type: "button", id: "renew-see", onclick: rerender }, t("rnSee"))));
    }));
  }) }, t("rnUse"));
  return [h("p", { id: "renew-order" }, t("rnPaid", { name: order.name })), button];
}

function buyPackage(products, out) {
  const packages = products.filter((p) => p.kind === "certificate" && !p.once_per_account);
  const [choiceField, choice] = field(t("rnPackage"), { tag: "select", name: "package",
    options: packages.map((p) => h("option", { value: p.code }, p.name)) });
  const button = h("button", { type: "button", id: "renew-pay", onclick: () => busy(button, out, async () => {
    const order = await api("POST", "/billing/orders", { json: { product: choice.value } });
    out.show(t("redirecting"), "ok");
    location.assign(order.payment_url);
  }) }, t("rnPay"));
  return [h("p", {}, t("rnHowTo")), choiceField, button];
}
