// The server's clock as the app learns it from each answer's X-Kyso-Time: pure arithmetic,
// tested under Node (tests/js/skew.test.mjs).

// a longer round trip says too little of when the server answered (the midpoint is a guess off
// by up to half of it: an upload, a phone asleep, its clock changed while waiting)
export const TRUSTED_TRIP_MS = 30_000;

/** The skew (the server's clock − this device's, ms) after an answer stamped ``told`` (the
 *  server's ms) that came ``trip`` ms after its request left (a monotonic timer), ``now``
 *  being the device's clock on its arrival; ``null``: ``current`` stands.
 *
 *  The server stamped it somewhere within the trip, so the skew lies between
 *  ``told − now`` and ``told − now + trip``. A short trip: its midpoint. A long one only
 *  bounds it: ``current`` stands if it lies within, else the nearest bound. */
export function learntSkew(current, told, now, trip) {
  if (!(told > 0) || !(trip >= 0)) return null;
  const low = told - now;
  if (trip <= TRUSTED_TRIP_MS) return Math.round(low + trip / 2);
  const high = low + trip;
  if (current >= low && current <= high) return null;
  return Math.round(current < low ? low : high);
}
