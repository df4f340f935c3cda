// CSC OAuth2 approval (oauth2/authorize sends the browser here, /?csc=<id>#csc-authorize):
// who asks, for what, then approve or deny. Service scope: a click. Credential scope: this is
// the signature's authorization — the relying party, the number of signatures and every
// document's hash are shown, and the customer confirms with the SmartOTP code as for any
// signing transaction; then the browser goes back to the service with the code.
import { get, post } from "../api.js";
import { busy, dl, fmtDate, h, replace, status } from "../dom.js";
import { lang, setLang, t } from "../i18n.js";
import { txCard } from "./transactions.js";

export async function cscAuthorize(main, ctx) {
  const params = new URLSearchParams(location.search);
  const wanted = params.get("lang");
  if (wanted && ["vi", "en"].includes(wanted)) {  // the service's language, once
    params.delete("lang");
    history.replaceState(null, "", `${location.pathname}?${params}${location.hash}`);
    if (wanted !== lang()) { setLang(wanted); ctx.rerender(); return; }
  }
  const id = params.get("csc");
  if (!id) {
    replace(main, h("h1", {}, t("cscTitle")), h("p", { class: "status error", role: "alert" }, t("cscMissing")));
    return;
  }
  const a = await get(`/csc/authorizations/${encodeURIComponent(id)}`);
  const out = status();
  const credential = a.scope === "credential";
  const rows = [[t("cscParty"), a.relying_party], [t("cscReturnTo"), a.redirect_host],
    [t("cscScope"), t(credential ? "cscScopeCredential" : "cscScopeService")]];
  if (credential) rows.push([t("cscCount"), String(a.num_signatures)]);
  if (a.description) rows.push([t("cscDescription"), a.description]);
  rows.push([t("cscUntil"), fmtDate(a.expires_at)]);
  const docs = credential ? h("section", { class: "csc-docs" },
    h("h2", {}, t("cscDocuments", { algo: a.hash_algorithm || "" })),
    h("ol", { class: "csc-hashes" }, a.hashes.map((x) => h("li", {}, h("code", {}, x))))) : null;
  const slot = h("div", { class: "csc-step" });
  const yes = h("button", { type: "button", id: "csc-approve", onclick: () => busy(yes, out, async () => {
    const done = await post(`/csc/authorizations/${encodeURIComponent(id)}/approve`);
    if (done.redirect) { leave(done.redirect, t("cscBack")); return; }
    actions.hidden = true;
    replace(slot, h("p", { class: "muted" }, t("cscConfirmHint")), txCard(done.transaction, async (tx) => {
      if (tx.status !== "confirmed") { leave(await denied(), t("cscDeniedBack")); return; }
      const next = await post(`/csc/authorizations/${encodeURIComponent(id)}/redirect`);
      leave(next.redirect, t("cscBack"));
    }));
  }) }, t(credential ? "cscApproveSign" : "cscApprove"));
  const no = h("button", { type: "button", class: "danger", id: "csc-deny",
    onclick: () => busy(no, out, async () => leave(await denied(), t("cscDeniedBack"))) }, t("cscDeny"));
  const actions = h("div", { class: "actions" }, yes, no);

  async function denied() {
    return (await post(`/csc/authorizations/${encodeURIComponent(id)}/deny`)).redirect;
  }
  function leave(target, text) {
    actions.hidden = true;
    out.show(text, "ok");
    setTimeout(() => { location.assign(target); }, 600);
  }
  if (a.status !== "pending" || a.transaction_id) {
    replace(main, h("h1", {}, t("cscTitle")), h("p", { class: "status error", role: "alert" }, t("cscDecided")));
    return;
  }
  replace(main, h("h1", {}, t("cscTitle")),
    h("p", { class: "csc-lead" }, t(credential ? "cscLeadCredential" : "cscLeadService", { party: a.relying_party })),
    h("article", { class: "card csc-request" }, dl(rows)), docs, out, actions, slot);
}
