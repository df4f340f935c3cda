// The server's clock as the web app learns it (static/js/skew.js). Run by
// tests/unit/web/test_token_js.py (`node --test tests/js`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const { learntSkew, TRUSTED_TRIP_MS } = await import(
  join(here, "..", "..", "src", "kyso", "entrypoints", "web", "static", "js", "skew.js"));

const HOUR = 3_600_000;
const server = 1_796_000_000_000;  // the server's ms when it stamped the answer

test("skew: a short trip's midpoint, whatever was learnt before", () => {
  // the phone 15 minutes behind; the answer took 400 ms, stamped 150 ms before it arrived
  const now = server - 15 * 60_000 + 150;
  assert.equal(learntSkew(0, server, now, 400), 15 * 60_000 - 150 + 200);
  assert.equal(learntSkew(-HOUR, server, now, 400), 15 * 60_000 + 50);
  assert.equal(learntSkew(0, server, now, TRUSTED_TRIP_MS), 15 * 60_000 - 150 + TRUSTED_TRIP_MS / 2);
});

test("skew: a long trip that agrees with what was learnt changes nothing", () => {
  // sent before the phone's clock jumped an hour, answered after: the trip reads an hour
  // (a clock jump moves the page's timers too) and the skew learnt after the jump stands
  const now = server + HOUR;
  assert.equal(learntSkew(-HOUR, server, now, HOUR + 1000), null);
  assert.equal(learntSkew(-HOUR + 20_000, server, now, 45_000), null);
});

test("skew: a long trip that rules out what was learnt moves it to its nearest bound", () => {
  const now = server + HOUR;  // the phone an hour ahead; the answer took 40 s
  assert.equal(learntSkew(0, server, now, 40_000), -HOUR + 40_000);  // the most it allows
  assert.equal(learntSkew(-2 * HOUR, server, now, 40_000), -HOUR);  // the least it allows
});

test("skew: no stamp, or no trip, teaches nothing", () => {
  for (const told of [0, -5, Number.NaN, Number("junk")]) {
    assert.equal(learntSkew(123, told, server, 100), null);
  }
  assert.equal(learntSkew(123, server, server, -1), null);
  assert.equal(learntSkew(123, server, server, Number.NaN), null);
});
