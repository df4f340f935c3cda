// The account page's certificates: suspend one at once with the account PIN (a lost phone)
// and resume it (docs/ACCOUNTS.md). The PIN is the confirmation: nothing acts on one click.
import { get, post } from "../api.js";
import { busy, card, dl, field, h, replace, status } from "../dom.js";
import { t } from "../i18n.js";
import { serialView } from "../serial.js";

export async function holderCard() {
  const certs = (await get("/billing/certificates")).filter((c) => ["active", "suspended"].includes(c.status));
  const region = card(t("hoTitle"));
  if (!certs.length) { region.append(h("p", {}, t("noCerts"))); return region; }
  certs.forEach((c) => region.append(oneCert(c)));
  return region;
}

function oneCert(cert) {
  const out = status();
  const box = h("div", { class: "hold", "data-credential": cert.credential_id });
  const draw = (state) => {
    const suspended = state === "suspended";
    const [pinWrap, pin] = field(t("fpPin"), { type: "password", inputmode: "numeric", maxlength: 6, autocomplete: "off" });
    const button = h("button", { type: "submit", class: suspended ? "" : "danger" }, t(suspended ? "hoResume" : "hoSuspend"));
    // one fact a line: on a phone the serial's "Xem đầy đủ" breaks a sentence of them apart
    replace(box, dl([[t("subject"), h("strong", {}, cert.subject)], [t("serial"), serialView(cert.serial)],
      [t("status"), h("span", { class: `badge st-${suspended ? "locked" : "active"}` }, t(suspended ? "hoSuspended" : "hoActive"))]]),
    h("p", { class: "hint" }, t(suspended ? "hoResumeHint" : "hoSuspendHint")), out,
    h("form", { novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      if (!/^\d{6}$/.test(pin.value)) { out.show(t("suPinHint")); pin.focus(); return; }
      busy(button, out, async () => {
        const done = await post(`/certificates/${encodeURIComponent(cert.credential_id)}/${suspended ? "resume" : "suspend"}`, { pin: pin.value });
        draw(done.status);
        out.show(t(done.status === "suspended" ? "hoSuspendedNow" : "hoResumedNow"), "ok");
      });
    } }, pinWrap, button));
  };
  draw(cert.status);
  return box;
}
