// HOTP (RFC 4226), TOTP (RFC 6238) and OCRA (RFC 6287) with WebCrypto, as pure functions:
// the key is raw bytes, time is always passed in. The same algorithms as kyso.otp.oath and
// kyso.otp.ocra (the server and `kyso app`); tests/js runs the RFC vectors against this file.

const subtle = () => globalThis.crypto.subtle;
const HASHES = { sha1: "SHA-1", sha256: "SHA-256", sha512: "SHA-512" };
const enc = new TextEncoder();

export const CHALLENGE_DOMAIN = "kyso/ocra-transaction-challenge/v1\u0000";

function hashName(algorithm) {
  const name = HASHES[String(algorithm).toLowerCase().replace(/[-_]/g, "").replace(/^hmac/, "")];
  if (!name) throw new Error(`unknown hash ${algorithm}`);
  return name;
}

async function hmac(algorithm, key, message) {
  const k = await subtle().importKey("raw", key, { name: "HMAC", hash: hashName(algorithm) },
    false, ["sign"]);
  return new Uint8Array(await subtle().sign("HMAC", k, message));
}

/** RFC 4226 5.3: 31 bits picked by the MAC's last nibble, as `digits` decimals. */
export function truncate(mac, digits) {
  const o = mac[mac.length - 1] & 0x0f;
  const value = ((mac[o] & 0x7f) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
  return String(value % 10 ** digits).padStart(digits, "0");
}

function uint64(n) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

export async function hotp(key, counter, { digits = 6, algorithm = "sha1" } = {}) {
  return truncate(await hmac(algorithm, key, uint64(counter)), digits);
}

export function totpCounter(unixTime, step = 30, t0 = 0) {
  return Math.floor((unixTime - t0) / step);
}

/** The code at `unixTime` (seconds), with its counter and the seconds it has left. */
export async function totp(key, unixTime, { step = 30, digits = 6, algorithm = "sha1", t0 = 0 } = {}) {
  const counter = totpCounter(unixTime, step, t0);
  const value = await hotp(key, counter, { digits, algorithm });
  return { value, counter, expiresIn: step - ((unixTime - t0) % step) };
}

const SUITE = /^OCRA-1:HOTP-SHA(1|256|512)-([1-9][0-9]?):(C-)?Q([ANH])([0-9]{2})(?:-PSHA(1|256|512))?(?:-S([0-9]{3}))?(?:-T([1-9][0-9]?)([SMH]))?$/;
const UNITS = { S: 1, M: 60, H: 3600 };

export function parseSuite(text) {
  const m = SUITE.exec(String(text));
  if (!m) throw new Error(`not an OCRA suite: ${text}`);
  return { text: String(text), algorithm: `sha${m[1]}`, digits: Number(m[2]), counter: Boolean(m[3]),
    questionFormat: m[4], questionLength: Number(m[5]), pinAlgorithm: m[6] ? `sha${m[6]}` : null,
    sessionLength: m[7] ? Number(m[7]) : null, timeStep: m[8] ? Number(m[8]) * UNITS[m[9]] : null };
}

function fromHex(hex) {
  const padded = hex.length % 2 ? `${hex}0` : hex;
  return Uint8Array.from(padded.match(/../g) || [], (b) => parseInt(b, 16));
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Q per RFC 6287 5.1: N as the hex of the number, H as hex, A as text; 128 bytes. */
function questionBytes(suite, question) {
  const allowed = { N: /^[0-9]+$/, H: /^[0-9A-Fa-f]+$/, A: /^[0-9A-Za-z]+$/ }[suite.questionFormat];
  if (!allowed.test(question)) throw new Error("the question does not fit the suite");
  const raw = suite.questionFormat === "A" ? enc.encode(question)
    : fromHex(suite.questionFormat === "N" ? BigInt(question).toString(16).toUpperCase() : question);
  if (raw.length > 128) throw new Error("the question is longer than 128 bytes");
  const out = new Uint8Array(128);
  out.set(raw);
  return out;
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** RFC 6287 DataInput: OCRASuite | 00 | C | Q | P | S | T (time as steps since the epoch). */
export async function dataInput(suite, { question, counter = null, pin = null, session = null,
  timestamp = null, timeSteps = null }) {
  const parts = [enc.encode(suite.text), new Uint8Array([0])];
  if (suite.counter) parts.push(uint64(counter));
  parts.push(questionBytes(suite, question));
  if (suite.pinAlgorithm) {
    parts.push(new Uint8Array(await subtle().digest(hashName(suite.pinAlgorithm), enc.encode(pin))));
  }
  if (suite.sessionLength) parts.push(session);
  if (suite.timeStep) parts.push(uint64(timeSteps ?? Math.floor(timestamp / suite.timeStep)));
  return concat(parts);
}

/** The OCRA response: HMAC(key, DataInput) truncated to the suite's digits. */
export async function ocra(suiteText, key, inputs) {
  const suite = parseSuite(suiteText);
  const mac = await hmac(suite.algorithm, key, await dataInput(suite, inputs));
  return truncate(mac, suite.digits);
}

/** RFC 8785 (JCS) text of a str→str map, NFC-normalised, keys sorted by UTF-16 code units. */
export function canonical(details) {
  const entries = Object.entries(details).map(([k, v]) => {
    if (typeof v !== "string") throw new Error("transaction details must map str to str");
    return [k.normalize("NFC"), v.normalize("NFC")];
  });
  if (!entries.length || new Set(entries.map(([k]) => k)).size !== entries.length) {
    throw new Error("transaction details must be non-empty with distinct keys");
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));  // JS compares UTF-16 code units
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`;
}

/** The question binding an OCRA code to `details` (kyso.otp.ocra.transaction_challenge). */
export async function transactionChallenge(details, { length, fmt = "N" }) {
  const digest = new Uint8Array(await subtle().digest("SHA-256",
    enc.encode(CHALLENGE_DOMAIN + canonical(details))));
  if (fmt === "N") {
    const n = BigInt(`0x${toHex(digest)}`) % 10n ** BigInt(length);
    return n.toString().padStart(length, "0");
  }
  return toHex(digest).toUpperCase().slice(0, length);
}

/** What a transaction's question binds: its id and kind, and every detail. */
export function boundDetails(tx) {
  return { transaction_id: tx.id, kind: tx.kind, ...tx.details };
}

/** The question recomputed from what is shown; null unless it equals the server's. */
export async function checkedQuestion(tx) {
  if (!tx.question || !tx.ocra_suite) return null;
  const suite = parseSuite(tx.ocra_suite);
  const expected = await transactionChallenge(boundDetails(tx),
    { length: suite.questionLength, fmt: suite.questionFormat });
  return expected.toUpperCase() === String(tx.question).toUpperCase() ? tx.question : null;
}

export function base32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const clean = String(text).toUpperCase().replace(/[\s=]/g, "");
  const out = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error("not base32");
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return new Uint8Array(out);
}
