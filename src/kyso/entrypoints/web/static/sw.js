// The app shell's service worker (served as /sw.js; site.py puts VERSION and SHELL above this
// line: VERSION is a digest of every shell file, so any change makes a new worker).
// - install: the whole shell into a cache named after VERSION, all or nothing (addAll), so a
//   version is never half-loaded; the new worker then waits until the page says "update".
// - activate: older shells are deleted.
// - fetch: shell files from this version's cache (network if missing); everything else, and
//   every /api/ answer, goes to the network and is never stored.
/* global VERSION, SHELL */
const CACHE = `kyso-shell-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith("kyso-shell-") && n !== CACHE)
      .map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener("message", (event) => {
  if (event.data === "update") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  const key = event.request.mode === "navigate" && url.pathname === "/" ? "/" : url.pathname;
  if (url.pathname.startsWith("/api/") || !SHELL.includes(key)) return;
  event.respondWith(caches.open(CACHE).then((cache) => cache.match(key))
    .then((hit) => hit || fetch(event.request)));
});
