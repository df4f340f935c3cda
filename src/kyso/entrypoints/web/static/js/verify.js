// The public verification page (/v/<id>): checks a copy of the signed file on the device.
// The file's SHA-256 is computed with WebCrypto and compared with the signed output's hash
// the page shows; no byte of the file leaves the browser.
const box = document.getElementById("verify-check");
const input = document.getElementById("verify-file");
const chosen = document.getElementById("verify-chosen");
const result = document.getElementById("verify-result");

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function check() {
  const file = input.files && input.files[0];
  if (!file) return;
  chosen.textContent = file.name;
  result.className = "verify-result";
  if (!(globalThis.crypto && crypto.subtle)) {
    result.textContent = box.dataset.noCrypto;
    result.classList.add("verify-differs");
    return;
  }
  result.textContent = box.dataset.computing;
  const digest = hex(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
  // a document with several signers: any version that holds this signature (space-separated)
  const same = box.dataset.sha256.split(" ").includes(digest);
  result.textContent = same ? box.dataset.matches : box.dataset.differs;
  result.classList.add(same ? "verify-matches" : "verify-differs");
  result.dataset.outcome = same ? "matches" : "differs";
}

// optional: the copy sent to the server for the full check (chain, time stamp, revocation)
const full = document.getElementById("verify-full");
const fullResult = document.getElementById("verify-full-result");

async function checkOnServer() {
  const file = input.files && input.files[0];
  if (!file || !full) return;
  full.disabled = true;
  fullResult.className = "verify-result";
  fullResult.textContent = box.dataset.computing;
  let text = full.dataset.failed;
  let good = false;
  try {
    const response = await fetch(full.dataset.url, { method: "POST", body: file,
      headers: { "Content-Type": "application/pdf" }, credentials: "omit" });
    if (response.ok) {
      const answer = await response.json();
      if (!answer.matches) text = full.dataset.other;
      else if (answer.valid) { text = full.dataset.valid.replace("{n}", String(answer.signatures)); good = true; }
      else text = full.dataset.invalid;
    }
  } catch { /* the failure sentence stays */ }
  fullResult.textContent = text;
  fullResult.classList.add(good ? "verify-matches" : "verify-differs");
  full.disabled = false;
}

function chose() {
  if (full) { full.disabled = !(input.files && input.files[0]); fullResult.textContent = ""; }
  check();
}

if (box && input) {
  input.addEventListener("change", chose);
  // a module runs after the page is drawn: a file chosen before this line ran (or kept by
  // the browser on "back") fired its change event unheard, so it is checked now
  if (input.files && input.files[0]) chose();
}
if (full) full.addEventListener("click", () => { checkOnServer(); });
