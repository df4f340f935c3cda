// The frame both apps share: header, navigation, language, login, logout, session expiry.
import { api, clearSession, onSessionLost, saveSession, serverMs, session } from "./api.js";
import { supportLine } from "./contact.js";
import { busy, describe, field, h, replace, status } from "./dom.js";
import { lang, setLang, t } from "./i18n.js";

/** routes: [{path, label, render(main, ctx), visible(account), hidden}]; allowed(account) gates
 *  login; a hidden route is reached by its link only (not in the navigation).
 *  loginExtra: {label, open(main, back)} adds a button under the login form.
 *  publicRoutes: pages before login (sign-up, forgotten password), linked from the login page
 *    (unless ``hidden``: reached from another public page);
 *  their ctx.signedIn(login) opens the session, ctx.toLogin(text) shows the login page. */
export function start({ brand, routes, allowed = () => true, loginExtra = null, publicRoutes = [] }) {
  document.documentElement.lang = lang();
  const header = document.getElementById("top");
  const main = document.getElementById("main");
  let notice = null;
  let shownFor = null;  // the account whose page is on screen
  let lost = null;  // what was typed when the session ended: back after logging in again
  // (in memory only, and for the same account only: never into another person's page)

  onSessionLost(() => {
    lost = shownFor ? { ...typed(), account: shownFor } : null;
    notice = t("expired");
    render();
  });
  window.addEventListener("hashchange", () => render());
  document.querySelector(".skip")?.addEventListener("click", (e) => { e.preventDefault(); main.focus(); });

  function visibleRoutes(account) {
    return routes.filter((r) => !r.visible || r.visible(account));
  }

  function drawHeader(account) {
    const current = location.hash.slice(1) || "";
    const nav = account ? h("nav", { "aria-label": "main" }, h("ul", {},
      visibleRoutes(account).filter((r) => !r.hidden).map((r) => h("li", {}, h("a", { href: `#${r.path}`,
        "aria-current": current === r.path ? "page" : null }, t(r.label)))))) : null;
    replace(header,
      h("div", { class: "bar" },
        h("a", { class: "brand", href: "#" }, t(brand)),
        h("div", { class: "tools" },
          account ? h("span", { class: "who" }, account.full_name) : null,
          h("button", { type: "button", class: "link", lang: lang() === "vi" ? "en" : "vi",
            onclick: () => { const kept = typed(); setLang(lang() === "vi" ? "en" : "vi"); rememberLang();
              render().then(() => retype(kept)); } },
            t("switchLang")),
          account ? h("button", { type: "button", class: "secondary", id: "logout",
            onclick: logout }, t("logout")) : null)),
      nav);
    showCurrent(nav);
    const foot = document.querySelector(".foot p")?.firstChild;  // the page's own line
    if (foot?.nodeType === Node.TEXT_NODE) {  // " · " before a link that follows (the console's)
      foot.textContent = foot.nextSibling ? `${t("footLine")} · ` : t("footLine");
    }
  }

  /** What is typed on the page, so that switching the language (the page is drawn again in
   *  the other one) does not throw it away. */
  function typed() {
    return { hash: location.hash, values: [...main.querySelectorAll("input, select, textarea")]
      .map((i) => [i.type, ["checkbox", "radio"].includes(i.type) ? i.checked : i.value]) };
  }

  /** Put it back, only into the same page drawn the same way (same fields, same kinds);
   *  anything else is left as drawn. A file chosen cannot be put back (browsers forbid it). */
  function retype(kept) {
    const now = [...main.querySelectorAll("input, select, textarea")];
    if (location.hash !== kept.hash || now.length !== kept.values.length
        || now.some((i, n) => i.type !== kept.values[n][0])) return;
    now.forEach((i, n) => {
      const value = kept.values[n][1];
      if (["checkbox", "radio"].includes(i.type)) i.checked = value;
      else if (i.type !== "file" && !i.readOnly
        && (i.tagName !== "SELECT" || [...i.options].some((o) => o.value === value))) i.value = value;
    });
  }

  /** The account's emails and SMS follow the language chosen here (kept by the server). */
  function rememberLang() {
    const s = session();
    if (!s) return;
    api("PUT", "/me/locale", { json: { locale: lang() } })
      .then((account) => {  // unless the customer logged out (or in again) meanwhile
        if (session()?.token === s.token) saveSession({ access_token: s.token, expires_at: s.expires_at, account });
      })
      .catch(() => null);  // the screen changes anyway; the next switch tries again
  }

  /** On a phone the navigation scrolls sideways: bring the current page's link into view. */
  function showCurrent(nav) {
    const ul = nav?.querySelector("ul");
    const link = ul?.querySelector('[aria-current="page"]');
    if (!link) return;
    const left = link.getBoundingClientRect().left - ul.getBoundingClientRect().left;
    ul.scrollLeft += left - (ul.clientWidth - link.offsetWidth) / 2;
  }

  async function logout() {
    try { await api("POST", "/auth/logout"); } catch { /* the session ends here anyway */ }
    clearSession();
    notice = t("loggedOut");
    location.hash = "";
    render();
  }

  function loginPage() {
    drawHeader(null);
    const out = status();
    const [loginField, login] = field(t("login"), { name: "login", autocomplete: "username", required: true });
    const [pwField, password] = field(t("password"), { name: "password", type: "password",
      autocomplete: "current-password", required: true });
    const button = h("button", { type: "submit" }, t("signIn"));
    const form = h("form", { class: "card narrow", novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const empty = [login, password].find((i) => !i.value.trim());
      if (empty) { out.show(t("required")); empty.setAttribute("aria-invalid", "true"); empty.focus(); return; }
      await busy(button, out, async () => {
        const done = await api("POST", "/auth/login", { json: { login: login.value.trim(), password: password.value } });
        if (!allowed(done.account)) {
          saveSession(done);
          await api("POST", "/auth/logout").catch(() => null);
          clearSession();
          throw new Error(t("forbiddenRole"));
        }
        saveSession(done);
        // a language switched to in this browser before logging in is the account's too
        if (localStorage.getItem("kyso.lang") && done.account.locale !== lang()) rememberLang();
        notice = null;
        const back = lost?.account === done.account.id ? lost : null;
        lost = null;
        render().then(() => back && retype(back));
      });
    } }, h("h1", {}, t("loginTitle")), out, loginField, pwField, button,
    publicRoutes.length ? h("p", { class: "links" }, publicRoutes.filter((r) => !r.hidden).map((r) =>
      h("a", { href: `#${r.path}`, class: "button-link" }, t(r.label)))) : null);
    const extra = loginExtra && h("button", { type: "button", class: "secondary token-button",
      id: "login-extra", onclick: () => loginExtra.open(main, loginPage) }, t(loginExtra.label));
    replace(main, form, extra);
    if (notice) out.show(notice, "info");
    login.focus();
  }

  async function publicPage(route) {
    drawHeader(null);
    const region = h("div", { class: "page" });
    replace(main, region);
    const toLogin = (text) => { notice = text || null; history.replaceState(null, "", "#"); render(); };
    await route.render(region, { signedIn: (done) => { saveSession(done); notice = null;
      history.replaceState(null, "", "#home"); render(); }, toLogin });
    region.querySelector("h1")?.focus({ preventScroll: true });
  }

  /** The server cannot be reached: never a dead end — try again, or the token (giải pháp 1). */
  function unreachable(region) {
    const token = loginExtra && h("button", { type: "button", class: "secondary token-button",
      id: "offline-extra", onclick: () => loginExtra.open(main, render) }, t(loginExtra.label));
    replace(region, h("section", { class: "card narrow", id: "unreachable" },
      h("h1", {}, t("offlineTitle")),
      h("p", { class: "status error", role: "alert" }, t("networkError")),
      token ? h("p", { class: "muted" }, t("offlineHint")) : null,
      h("div", { class: "actions" }, h("button", { type: "button", id: "retry",
        onclick: () => render() }, t("retry")), token), supportLine()));
  }

  async function render() {
    const s = session();
    if (s && Date.parse(s.expires_at) <= serverMs()) {  // the server would say 401 anyway
      clearSession();
      notice = t("expired");
    }
    if (!session()) {
      const open = publicRoutes.find((r) => r.path === location.hash.slice(1));
      return open ? publicPage(open) : loginPage();
    }
    drawHeader(s.account);
    shownFor = s.account.id;
    const path = location.hash.slice(1);
    const route = visibleRoutes(s.account).find((r) => r.path === path) || visibleRoutes(s.account)[0];
    const region = h("div", { class: "page", "aria-busy": "true" },
      h("p", { class: "status info", role: "status", id: "page-loading" }, t("loading")));
    replace(main, region);
    try {
      await route.render(region, { account: s.account, rerender: render });
    } catch (err) {
      if (!session()) return undefined;  // the session was lost: the login page is up
      if (err?.status === 0) unreachable(region);
      else replace(region, h("p", { class: "status error", role: "alert" }, describe(err)), supportLine());
    }
    region.removeAttribute("aria-busy");
    const heading = main.querySelector("h1");
    if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
    return undefined;
  }

  render();
}
