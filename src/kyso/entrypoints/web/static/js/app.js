// The customer web app.
import { start } from "./shell.js";
import { account } from "./pages/account.js";
import { buy } from "./pages/buy.js";
import { cscAuthorize } from "./pages/csc.js";
import { history } from "./pages/history.js";
import { home } from "./pages/home.js";
import { identity } from "./pages/identity.js";
import { multisign } from "./pages/multisign.js";
import { onboarding } from "./pages/onboarding.js";
import { parties } from "./pages/parties.js";
import { renewPage } from "./pages/renew.js";
import { forgot } from "./pages/recovery.js";
import { sign } from "./pages/sign.js";
import { signup } from "./pages/signup.js";
import { smartotp } from "./pages/smartotp.js";
import { transactions } from "./pages/transactions.js";
import { live } from "./token/live.js";
import { installable } from "./token/pwa.js";
import { offlineToken } from "./token/ui.js";

start({
  brand: "brand",
  routes: [
    { path: "home", label: "navHome", render: home },
    { path: "transactions", label: "navTx", render: transactions },
    { path: "smartotp", label: "navSmartotp", render: smartotp },
    { path: "sign", label: "navSign", render: sign },
    { path: "multisign", label: "msNav", render: multisign },
    { path: "history", label: "navHistory", render: history },
    { path: "buy", label: "navBuy", render: buy },
    { path: "parties", label: "navParties", render: parties },
    { path: "account", label: "navAccount", render: account },
    { path: "register", label: "navRegister", render: onboarding },
    { path: "renew", label: "rnTitle", render: renewPage, hidden: true },  // the payment's return
    { path: "csc-authorize", label: "cscTitle", render: cscAuthorize, hidden: true },  // CSC OAuth2
  ],
  // giải pháp 1: the token without logging in (and without network)
  loginExtra: { label: "tkLoginButton", open: offlineToken },
  publicRoutes: [
    { path: "signup", label: "navSignup", render: signup },
    { path: "forgot", label: "navForgot", render: forgot },
    { path: "identity", label: "navIdentity", render: identity, hidden: true },  // from #forgot
  ],
});
installable();
live();
