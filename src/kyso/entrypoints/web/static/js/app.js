// The customer web app.
import { start } from "./shell.js";
import { account } from "./pages/account.js";
import { buy } from "./pages/buy.js";
import { history } from "./pages/history.js";
import { home } from "./pages/home.js";
import { onboarding } from "./pages/onboarding.js";
import { parties } from "./pages/parties.js";
import { sign } from "./pages/sign.js";
import { transactions } from "./pages/transactions.js";

start({
  brand: "brand",
  routes: [
    { path: "home", label: "navHome", render: home },
    { path: "transactions", label: "navTx", render: transactions },
    { path: "sign", label: "navSign", render: sign },
    { path: "history", label: "navHistory", render: history },
    { path: "buy", label: "navBuy", render: buy },
    { path: "parties", label: "navParties", render: parties },
    { path: "account", label: "navAccount", render: account },
    { path: "register", label: "navRegister", render: onboarding },
  ],
});
