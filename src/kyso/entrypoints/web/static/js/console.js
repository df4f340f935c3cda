// The staff console: RA officers and the support desk (the API enforces the roles).
import { start } from "./shell.js";
import { ra } from "./pages/ra.js";
import { recoveries } from "./pages/recoveries.js";
import { support } from "./pages/support.js";

const RA = ["ra_officer", "admin"];
const SUPPORT = ["support", "admin"];

start({
  brand: "consoleBrand",
  allowed: (a) => RA.includes(a.role) || SUPPORT.includes(a.role),
  routes: [
    { path: "ra", label: "ra", render: ra, visible: (a) => RA.includes(a.role) },
    { path: "support", label: "support", render: support, visible: (a) => SUPPORT.includes(a.role) },
    { path: "recoveries", label: "recoveries", render: recoveries },  // RA and support (the API decides)
  ],
});
