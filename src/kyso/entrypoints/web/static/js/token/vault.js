// The SmartOTP seed on this device, locked by the SmartOTP PIN with no verifier (the browser
// twin of kyso.otp.device): key = PBKDF2-SHA256(PIN, random 16-byte salt, 600 000 rounds),
// sealed = AES-256-CTR(key, random counter block, seed). CTR has no tag: a wrong PIN opens a
// different seed of the same length — well-formed, wrong codes, never an error — so a copied
// browser profile gives no offline PIN oracle; only the server's failure counter can tell.
// IndexedDB holds the sealed seed and the token's public parameters; nothing else, anywhere.
import { hotp, ocra, checkedQuestion, totp, totpCounter } from "./oath.js";

export const ROUNDS = 600_000;
const DB = "kyso-token";
const STORE = "token";
const subtle = () => globalThis.crypto.subtle;

async function pinKey(pin, salt, rounds) {
  const base = await subtle().importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false,
    ["deriveKey"]);
  return subtle().deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations: rounds }, base,
    { name: "AES-CTR", length: 256 }, false, ["encrypt", "decrypt"]);
}

/** {salt, ctr, sealed, rounds}: the seed under the PIN, no verifier. */
export async function lockSeed(seed, pin, rounds = ROUNDS) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const ctr = crypto.getRandomValues(new Uint8Array(16));
  const key = await pinKey(pin, salt, rounds);
  const sealed = new Uint8Array(await subtle().encrypt({ name: "AES-CTR", counter: ctr, length: 64 },
    key, seed));
  return { salt, ctr, sealed, rounds };
}

/** The seed — or, for a wrong PIN, another seed of the same length. Never throws on a PIN. */
export async function unlockSeed(locked, pin) {
  const key = await pinKey(pin, locked.salt, locked.rounds);
  return new Uint8Array(await subtle().decrypt({ name: "AES-CTR", counter: locked.ctr, length: 64 },
    key, locked.sealed));
}

/** The rule of kyso.otp.device.check_smartotp_pin: 6-12 digits, no run, not one digit. */
export function weakPin(pin) {
  if (!/^[0-9]{6,12}$/.test(pin)) return "format";
  const steps = new Set();
  for (let i = 1; i < pin.length; i += 1) steps.add((Number(pin[i]) - Number(pin[i - 1]) + 10) % 10);
  const [only] = steps;
  return steps.size === 1 && [0, 1, 9].includes(only) ? "pattern" : null;
}

// -- IndexedDB: one record ("current") per browser profile ------------------------------------
function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally { db.close(); }
}

export const readRecord = (name) => run("readonly", (s) => s.get(name));
export const writeRecord = (name, value) => run("readwrite", (s) => s.put(value, name));
export const deleteRecord = (name) => run("readwrite", (s) => s.delete(name));

/** This browser's device id (random, kept): the server binds the token to it. */
export async function deviceId() {
  const known = await readRecord("device");
  if (known) return known.id;
  const id = `web-${Array.from(crypto.getRandomValues(new Uint8Array(12)),
    (b) => b.toString(16).padStart(2, "0")).join("")}`;
  await writeRecord("device", { id });
  return id;
}

/** The stored token (without any secret in clear), or null. */
export const storedToken = () => readRecord("current").then((r) => r || null);

/** Lock the activation's seed under `pin` and keep it; the plain seed goes no further. */
export async function saveToken(activation, seed, pin, extra = {}) {
  const locked = await lockSeed(seed, pin);
  const record = { token_id: activation.token_id, algorithm: activation.algorithm.toLowerCase()
    .replace(/[-_]/g, "").replace(/^hmac/, ""), digits: activation.digits, period: activation.period,
  ocra_suite: activation.ocra_suite, activated_at: activation.server_time || new Date().toISOString(),
  locked, ...extra };
  await writeRecord("current", record);
  return record;
}

export async function relock(record, oldPin, newPin) {
  const seed = await unlockSeed(record.locked, oldPin);
  const next = { ...record, locked: await lockSeed(seed, newPin) };
  seed.fill(0);
  await writeRecord("current", next);
  return next;
}

export const forgetToken = () => deleteRecord("current");

/** The clock offset (server − device, seconds) learnt by Đồng bộ thời gian; 0 if never. */
export async function clock() {
  return (await readRecord("clock")) || { offset: 0, synced_at: null };
}

export const saveClock = (offset) => writeRecord("clock",
  { offset, synced_at: new Date().toISOString() });

export async function serverNow(now = Date.now()) {
  return now / 1000 + (await clock()).offset;
}

/** Open the token with `pin` for one computation; the seed is wiped after. */
async function withSeed(record, pin, work) {
  const seed = await unlockSeed(record.locked, pin);
  try { return await work(seed); } finally { seed.fill(0); }
}

export function codeNow(record, pin, at) {
  return withSeed(record, pin, (seed) => totp(seed, at,
    { step: record.period, digits: record.digits, algorithm: record.algorithm }));
}

/** Two consecutive codes (this step's and the next) for the server's resync. */
export function resyncCodes(record, pin, at) {
  return withSeed(record, pin, async (seed) => {
    const c = totpCounter(at, record.period);
    const opts = { digits: record.digits, algorithm: record.algorithm };
    return [await hotp(seed, c, opts), await hotp(seed, c + 1, opts)];
  });
}

/** The OCRA answer to a transaction, once its question is the challenge of what is shown. */
export async function transactionCode(record, pin, tx) {
  const question = await checkedQuestion(tx);
  if (!question) throw Object.assign(new Error("challenge mismatch"), { code: "challenge_mismatch" });
  return withSeed(record, pin, (seed) => ocra(tx.ocra_suite, seed, { question }));
}
