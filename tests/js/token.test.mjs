// The browser token's algorithms in Node 20's WebCrypto (globalThis.crypto.subtle): the RFC
// 4226/6238/6287 vectors from tests/vectors, oathtool, kyso's transaction challenge, and the
// PIN lock with no verifier. Run by tests/unit/web/test_token_js.py (`node --test`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

import { webcrypto } from "node:crypto";

globalThis.crypto ??= webcrypto;  // global from Node 19; Debian's Node 18 needs this line
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const js = join(root, "src", "kyso", "entrypoints", "web", "static", "js", "token");
const { hotp, totp, ocra, transactionChallenge, base32Decode, toHex, checkedQuestion } =
  await import(join(js, "oath.js"));
const { lockSeed, unlockSeed, weakPin } = await import(join(js, "vault.js"));
const vector = (name) => JSON.parse(readFileSync(join(root, "tests", "vectors", name), "utf8"));
const hex = (h) => Uint8Array.from(h.match(/../g), (b) => parseInt(b, 16));

test("HOTP: RFC 4226 appendix D", async () => {
  const v = vector("rfc4226_hotp.json");
  for (const row of v.vectors) {
    assert.equal(await hotp(hex(v.secret_hex), row.counter, { digits: v.digits }), row.hotp);
  }
});

test("TOTP: RFC 6238 appendix B, SHA-1/256/512", async () => {
  const v = vector("rfc6238_totp.json");
  for (const row of v.vectors) {
    const code = await totp(hex(v.secrets_hex[row.algorithm]), row.time,
      { step: v.step, digits: v.digits, algorithm: row.algorithm });
    assert.equal(code.value, row.totp, `${row.algorithm} at ${row.time}`);
  }
});

test("OCRA: every RFC 6287 appendix C vector", async () => {
  const v = vector("rfc6287_ocra.json");
  for (const row of v.vectors) {
    const got = await ocra(row.suite, hex(v.keys_hex[row.key]), { question: row.question,
      counter: row.counter, pin: row.pin,
      timeSteps: row.time_steps_hex === null ? null : BigInt(`0x${row.time_steps_hex}`) });
    assert.equal(got, row.ocra, `${row.section} ${row.suite} ${row.question}`);
  }
});

test("TOTP agrees with oathtool for kyso's SmartOTP parameters (SHA-256, 6 digits, 30 s)", async () => {
  for (const at of [0, 59, 1111111109, 1234567890, 2000000000, 1764680000]) {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const expected = execFileSync("oathtool", ["--totp=sha256", "-d", "6", "-s", "30",
      `--now=@${at}`, toHex(seed)], { encoding: "utf8" }).trim();
    assert.equal((await totp(seed, at, { algorithm: "sha256" })).value, expected);
    const counter = Math.floor(at / 30);
    const hotpExpected = execFileSync("oathtool", ["-d", "8", "-c", String(counter), toHex(seed)],
      { encoding: "utf8" }).trim();
    assert.equal(await hotp(seed, counter, { digits: 8 }), hotpExpected);
  }
});

test("the transaction challenge matches kyso.otp.ocra (golden values from Python)", async () => {
  const golden = JSON.parse(process.env.KYSO_CHALLENGE_GOLDEN || "[]");
  assert.ok(golden.length > 0, "run through tests/unit/web/test_token_js.py");
  for (const g of golden) {
    assert.equal(await transactionChallenge(g.details, { length: g.length, fmt: g.fmt }), g.question);
  }
});

test("a transaction's question is checked against its details; a changed detail fails", async () => {
  const golden = JSON.parse(process.env.KYSO_CHALLENGE_GOLDEN || "[]");
  const tx = golden.find((g) => g.tx).tx;
  assert.equal(await checkedQuestion(tx), tx.question);
  const forged = { ...tx, details: { ...tx.details, phone: "+84900000000" } };
  assert.equal(await checkedQuestion(forged), null);
  assert.equal(await checkedQuestion({ ...tx, question: null }), null);
});

test("base32 seeds decode as the server encodes them", () => {
  assert.equal(toHex(base32Decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")),
    "3132333435363738393031323334353637383930");
});

test("the PIN lock has no verifier: a wrong PIN gives another seed, never an error", async () => {
  const seed = crypto.getRandomValues(new Uint8Array(32));
  const locked = await lockSeed(seed, "918273", 1000);
  assert.deepEqual(await unlockSeed(locked, "918273"), seed);
  const wrong = await unlockSeed(locked, "918274");
  assert.equal(wrong.length, seed.length);
  assert.notDeepEqual(wrong, seed);
  assert.notDeepEqual(locked.sealed, seed);
  assert.equal(locked.sealed.length, seed.length);  // no tag, nothing to test a guess against
});

test("the production lock costs 600 000 PBKDF2 rounds", async () => {
  const locked = await lockSeed(new Uint8Array(32), "918273");
  assert.ok(locked.rounds >= 600_000);
  assert.equal(locked.salt.length, 16);
});

test("SmartOTP PINs: the rule of check_smartotp_pin", () => {
  for (const pin of ["123456", "000000", "654321", "789012", "12345", "abcdef", "1234567890123"]) {
    assert.notEqual(weakPin(pin), null, pin);
  }
  for (const pin of ["918273", "135790", "2468024"]) assert.equal(weakPin(pin), null, pin);
});

test("SmartOTP PINs: the browser's verdict equals Python's on many PINs", () => {
  const golden = JSON.parse(process.env.KYSO_PIN_GOLDEN || "[]");
  assert.ok(golden.length > 0, "run through tests/unit/web/test_token_js.py");
  for (const g of golden) assert.equal(weakPin(g.pin) !== null, g.weak, g.pin);
});
