// The installable app: register the service worker; when a new version has installed (all of
// it), say so and reload only when the customer asks — never a page made of two versions.
import { h } from "../dom.js";
import { t } from "../i18n.js";

export function installable() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then((reg) => {
    if (reg.waiting && navigator.serviceWorker.controller) announce(reg.waiting);
    reg.addEventListener("updatefound", () => {
      const next = reg.installing;
      next?.addEventListener("statechange", () => {
        if (next.state === "installed" && navigator.serviceWorker.controller) announce(next);
      });
    });
  }).catch(() => { /* no service worker (private mode): the app works online as before */ });
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !window.kysoUpdating) return;
    reloading = true;
    location.reload();
  });
}

function announce(worker) {
  if (document.getElementById("update-banner")) return;
  const button = h("button", { type: "button", onclick: () => {
    window.kysoUpdating = true;
    worker.postMessage("update");
  } }, t("pwaReload"));
  document.body.prepend(h("p", { class: "status info update-banner", id: "update-banner",
    role: "status" }, t("pwaUpdate"), " ", button));
}
