// Relying parties and the customer's consents: allow, disallow; and the applications holding
// OAuth2 tokens (CSC) for the customer: revoke.
import { api, get } from "../api.js";
import { busy, field, fmtDate, h, replace, status } from "../dom.js";
import { t } from "../i18n.js";

export async function parties(main) {
  await render(main, null);
}

async function render(main, notice) {
  const [all, consents, grants] = await Promise.all([get("/relying-parties"), get("/consents"),
    get("/csc/grants")]);
  const granted = new Map(consents.map((c) => [c.sp_id, c]));
  replace(main, h("h1", {}, t("partiesTitle")), h("p", {}, t("partiesHint")),
    all.length ? h("ul", { class: "cards" }, all.map((p) => party(main, p, granted.get(p.sp_id))))
      : h("p", { class: "empty" }, t("partiesNone")),
    h("section", { class: "grants" }, h("h2", {}, t("grantsTitle")), h("p", {}, t("grantsHint")),
      notice ? h("p", { class: "status ok", role: "status" }, notice) : null,
      grants.length ? h("ul", { class: "cards" }, grants.map((g) => grant(main, g)))
        : h("p", { class: "empty" }, t("grantsNone"))));
}

function grant(main, g) {
  const out = status();
  const button = h("button", { type: "button", class: "danger",
    onclick: () => busy(button, out, async () => {
      await api("DELETE", `/csc/grants/${encodeURIComponent(g.sp_id)}`);
      await render(main, t("grantRevoked", { party: g.name }));
    }) }, t("grantRevoke"));
  return h("li", { class: "card grant", "data-grant": g.sp_id },
    h("h3", {}, g.name),
    h("p", {}, t("grantSince", { at: fmtDate(g.since) })),
    h("p", {}, t("grantUntil", { at: fmtDate(g.expires_at) })),
    out, button);
}

function party(main, p, consent) {
  const out = status();
  const path = `/consents/${encodeURIComponent(p.sp_id)}`;
  // letting a party in is a sensitive change: the account PIN confirms it; revoking is free
  const [pinField, pin] = consent ? [null, null]
    : field(t("accountPin"), { type: "password", inputmode: "numeric", autocomplete: "off",
        maxlength: 12 });
  const button = h("button", { type: "button", class: consent ? "danger" : "",
    onclick: () => busy(button, out, async () => {
      if (consent) await api("DELETE", path);
      else await api("PUT", path, { json: { pin: pin.value } });
      await parties(main);
    }) }, consent ? t("disallow") : t("allow"));
  return h("li", { class: "card party", "data-sp": p.sp_id },
    h("h2", {}, p.name), p.public_service ? h("span", { class: "badge" }, t("publicService")) : null,
    h("p", {}, consent ? t("allowed", { at: fmtDate(consent.granted_at) }) : t("notAllowed")),
    pinField, out, button);
}
