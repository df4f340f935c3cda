// Buy a package: the catalogue (VND, VAT included), an order, the payment page, the status.
import { api, get } from "../api.js";
import { busy, card, field, fmtDate, h, replace, status, table, vnd } from "../dom.js";
import { label, t } from "../i18n.js";

export async function buy(main) {
  const [products, certs, orders] = await Promise.all([get("/billing/catalog"),
    get("/billing/certificates"), get("/billing/orders?limit=20")]);
  // a certificate holder mostly buys signatures: the packs come first for them
  const first = certs.length ? "pack" : "certificate";
  const ordered = [...products].sort((a, b) => (b.kind === first) - (a.kind === first));
  replace(main, h("h1", {}, t("buyTitle")), nextStep(certs, orders),
    h("div", { class: "products" }, ordered.map((p) => product(p, certs))),
    card(t("orders"), ordersTable(orders)));
}

function product(p, certs) {
  const out = status();
  const needsCert = p.kind === "pack";
  const [certField, cert] = needsCert && certs.length ? certChoice(certs) : [null, null];
  const button = h("button", { type: "submit", disabled: needsCert && !certs.length }, t("buy"));
  const facts = [p.term_months ? t("months", { n: p.term_months }) : null,
    p.signatures ? t("nSignatures", { n: p.signatures }) : null,
    p.plan === "unlimited" ? t("unlimited") : null].filter(Boolean).join(" · ");
  return h("form", { class: "card product", "data-code": p.code, novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    busy(button, out, async () => {
      const json = { product: p.code };
      if (cert) json.credential_id = cert.value;  // the one chosen, or the only one
      const order = await api("POST", "/billing/orders", { json });
      if (order.payment_url) { out.show(t("redirecting"), "ok"); location.assign(order.payment_url); }
      else out.show(label("os_", order.status), "ok");
    });
  } }, h("h2", {}, p.name), h("p", { class: "price" }, p.price ? vnd(p.price) : t("uxFree")),
  p.price ? h("p", { class: "muted" }, `${t("priceVat")} · VAT ${vnd(p.vat)}`) : null, facts ? h("p", {}, facts) : null,
  needsCert && !certs.length ? noCert() : certField, out, button);
}

/** Which certificate a pack is for: a choice among several; the only one said, not offered as
 *  a choice of one. Each named in words, with its end date (a serial cut off by a phone's
 *  select says nothing). Returns the field and what holds the credential id (``value``). */
function certChoice(certs) {
  const said = (c) => t("buyCertUntil", { name: c.subject, d: fmtDate(c.not_after).slice(0, 10) });
  if (certs.length > 1) {
    return field(t("forCert"), { tag: "select", name: "credential",
      options: certs.map((c) => h("option", { value: c.credential_id }, said(c))) });
  }
  const [only] = certs;
  const [wrap] = field(t("forCert"), { tag: "output", class: "cert-only", name: "credential" });
  wrap.querySelector("output").textContent = said(only);
  return [wrap, { value: only.credential_id }];
}

/** What comes next, with the way there: a paid certificate package not used yet goes to the
 *  registration (no certificate) or the renewal on the home page (neither asks to pay again);
 *  a customer with no certificate and nothing paid starts with the registration. */
function nextStep(certs, orders) {
  const paid = orders.find((o) => o.status === "awaiting_issuance" && o.purpose === "standalone");
  if (!paid && certs.length) return null;
  const [text, href, link] = !paid ? [t("ux2NoCertNext"), "#register", t("navRegister")]
    : certs.length ? [t("ux2PaidRenew", { name: paid.name }), "#home", t("ux2ToHome")]
      : [t("ux2PaidRegister", { name: paid.name }), "#register", t("navRegister")];
  return h("div", { id: "buy-next" }, h("p", { class: "status info" }, text),
    h("p", { class: "links" }, h("a", { href, class: "button-link" }, link)));
}

/** A pack is for a certificate: without one, say so and show the way (not a dead button). */
function noCert() {
  return h("div", { class: "no-cert" }, h("p", { class: "status info" }, t("uxPackNeedsCert")),
    h("p", { class: "links" }, h("a", { href: "#register", class: "button-link" }, t("navRegister"))));
}

function ordersTable(orders) {
  if (!orders.length) return h("p", {}, t("noOrders"));
  return table([t("order"), t("package"), t("amount"), t("status"), t("createdAt"), ""],
    orders.map((o) => [h("code", {}, o.id.slice(0, 8)), o.name, vnd(o.amount),
      h("span", { class: `order-status os-${o.status}`, "data-order": o.id }, label("os_", o.status)),
      fmtDate(o.created_at), o.status === "pending" ? payButton(o) : ""]));
}

function payButton(o) {
  const button = h("button", { type: "button", class: "secondary", onclick: () => busy(button, null, async () => {
    const { payment_url: url } = await api("POST", `/billing/orders/${encodeURIComponent(o.id)}/payment`);
    location.assign(url);
  }) }, t("payNow"));
  return button;
}
