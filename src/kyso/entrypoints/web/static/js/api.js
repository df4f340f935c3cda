// The one seam to /api/v1: the bearer session (sessionStorage), the language, the errors.
import { lang, t } from "./i18n.js";
import { learntSkew } from "./skew.js";

const KEY = "kyso.session";
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, code, description, attemptsRemaining = null) {
    super(description || code || String(status));
    this.status = status;
    this.code = code;
    this.attemptsRemaining = attemptsRemaining;  // after a wrong secret, when the server says
  }
}

export function session() {
  try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch { return null; }
}

export function saveSession(login) {
  sessionStorage.setItem(KEY, JSON.stringify({ token: login.access_token,
    expires_at: login.expires_at, account: login.account }));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

/** Called with a reason ("expired") when the server no longer accepts the session. */
export function onSessionLost(fn) { listeners.add(fn); }

const SESSION_ERRORS = new Set(["invalid_token", "expired_token", undefined]);

export async function api(method, path, { json, body, type, blob, headers: extra } = {}) {
  const headers = { "Accept-Language": lang(), Accept: "application/json", ...extra };
  const s = session();
  if (s) headers.Authorization = `Bearer ${s.token}`;
  if (json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(json); }
  if (type) headers["Content-Type"] = type;
  let response;
  const sent = performance.now();
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body, credentials: "omit" });
  } catch {
    throw new ApiError(0, "network", null);
  }
  heard(response, sent);
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not JSON */ }
    // only a dead session ends the session: a wrong PIN or password is also a 401; and
    // only the current one (a late answer to a session logged out or replaced says nothing)
    if (response.status === 401 && s && session()?.token === s.token
        && SESSION_ERRORS.has(problem.error)) {
      clearSession();
      listeners.forEach((fn) => fn("expired"));
    }
    throw new ApiError(response.status, problem.error, problem.error_description || unsaid(response.status),
      Number.isInteger(problem.attempts_remaining) ? problem.attempts_remaining : null);
  }
  if (blob) return response;
  if (response.status === 204) return null;
  return response.json();
}

// the server's clock − this device's, in ms, as the last answer told it (kept for a reload)
const SKEW = "kyso.skew";
let skew = 0;
try { skew = Number(sessionStorage.getItem(SKEW)) || 0; } catch { /* no storage: learnt anew */ }
let heardCount = 0;  // answers that set ``skew`` since the page loaded

/** X-Kyso-Time: the server's clock when it answered (``learntSkew``). The trip is timed by
 *  ``performance.now`` (monotonic): the phone's clock set while the answer was on its way
 *  moves neither end of it. */
function heard(response, sent) {
  const learnt = learntSkew(skew, Number(response.headers.get("X-Kyso-Time")), Date.now(),
    performance.now() - sent);
  if (learnt === null) return;
  skew = learnt;
  heardCount += 1;
  try { sessionStorage.setItem(SKEW, String(skew)); } catch { /* kept in memory only */ }
}

/** How many answers have set the server's time as learnt so far: a count judged over may be
 *  judged again after a new one. */
export function timeHeard() {
  return heardCount;
}

/** Now by the server's clock (ms since the epoch): a deadline or an expiry is judged in its
 *  time, not in a phone's clock that may be minutes, or days, off. */
export function serverMs() {
  return Date.now() + skew;
}

/** A refusal with no sentence of kyso's (a proxy's HTML page: 502, 504, 413): said in words,
 *  never as its bare status number. */
function unsaid(status) {
  if (status === 413) return t("ux3TooLarge");
  return status >= 500 ? t("ux3ServerDown") : t("unknownError");
}

export const get = (path) => api("GET", path);
export const post = (path, json) => api("POST", path, { json: json ?? {} });
