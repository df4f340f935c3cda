// Everything the browser keeps for the site, binary as hex: read by test_token_web.py.
(async () => {
  const hex = (b) => Array.from(new Uint8Array(b.buffer || b), (x) => x.toString(16).padStart(2, "0")).join("");
  const flat = (v) => (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) ? `bytes:${hex(v)}`
    : (v && typeof v === "object") ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, flat(x)])) : v;
  const out = { idb: {}, local: { ...localStorage }, session: { ...sessionStorage }, caches: {} };
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); });
    for (const store of db.objectStoreNames) {
      const tx = db.transaction(store);
      const all = await new Promise((ok) => { const r = tx.objectStore(store).getAll(); r.onsuccess = () => ok(r.result); });
      out.idb[`${info.name}/${store}`] = flat(all);
    }
    db.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) out.caches[req.url] = await (await cache.match(req)).text();
  }
  return JSON.stringify(out);
})
