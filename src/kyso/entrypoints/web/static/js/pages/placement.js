// Where the stamp goes: the pages kyso renders, a box dragged (pointer events: touch, pen,
// mouse; arrow keys too) onto the chosen page. The box is kept in PDF points from the lower-left
// corner of the page as shown (a /Rotate applied, as in the preview), the way the API takes it.
import { api } from "../api.js";
import { field, h } from "../dom.js";
import { t } from "../i18n.js";

const STEP = 6;  // points an arrow key moves the box

/** The placement widget for a draft; ``value()`` gives {page, box}. ``base``: where the
 *  pages are (``/multisign`` for several signers), ``suffix``: for the ids of one of several. */
export function placement(doc, layout, base = "/documents", suffix = "") {
  const state = { page: layout.page, box: [...layout.box] };
  const img = h("img", { alt: "", class: "page-img", id: `page-img${suffix}` });
  const stamp = h("div", { class: "stamp-box", id: `stamp-box${suffix}`, tabindex: 0, role: "slider",
    "aria-label": t("stampBox"), "aria-valuetext": "" }, h("span", {}, t("stampHere")));
  const frame = h("div", { class: "page-frame", id: `page-frame${suffix}` }, img, stamp);
  const loading = h("p", { class: "status info", role: "status" }, t("loadingPage"));
  const [pageField, select] = field(t("stampPage"), { tag: "select", name: "page",
    options: layout.pages.map((p) => h("option", { value: p.number, selected: p.number === state.page },
      t("pageN", { n: p.number, of: layout.pages.length }))) });
  const urls = new Map();

  const size = () => layout.pages[state.page - 1];
  const scale = () => frame.clientWidth / size().width;

  function draw() {
    const s = scale();
    const [x1, y1, x2, y2] = state.box;
    // CSSOM, which the Content-Security-Policy allows (no style attribute is written)
    Object.assign(stamp.style, { left: `${x1 * s}px`, top: `${(size().height - y2) * s}px`,
      width: `${(x2 - x1) * s}px`, height: `${(y2 - y1) * s}px` });
    stamp.setAttribute("aria-valuetext", t("stampAt", { page: state.page,
      x: Math.round(x1), y: Math.round(y1) }));
  }

  function moveTo(x1, y1) {  // points; kept inside the page
    const w = state.box[2] - state.box[0], hgt = state.box[3] - state.box[1];
    const x = Math.min(Math.max(0, x1), size().width - w);
    const y = Math.min(Math.max(0, y1), size().height - hgt);
    state.box = [x, y, x + w, y + hgt].map((v) => Math.round(v * 10) / 10);
    draw();
  }

  async function show(number) {
    state.page = number;
    loading.hidden = false;
    Object.assign(frame.style, { aspectRatio: `${size().width} / ${size().height}` });
    if (!urls.has(number)) {
      const response = await api("GET", `${base}/${encodeURIComponent(doc.id)}/pages/${number}.png`, { blob: true });
      urls.set(number, URL.createObjectURL(await response.blob()));
    }
    if (state.page !== number) return;  // another page was chosen meanwhile
    img.src = urls.get(number);
    img.alt = t("pageN", { n: number, of: layout.pages.length });
    await img.decode().catch(() => null);
    if (state.page !== number) return;
    loading.hidden = true;
    moveTo(state.box[0], state.box[1]);
  }

  let grab = null;
  stamp.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    stamp.setPointerCapture(e.pointerId);
    grab = { x: e.clientX, y: e.clientY, box: [...state.box] };
  });
  stamp.addEventListener("pointermove", (e) => {
    if (!grab) return;
    const s = scale();
    moveTo(grab.box[0] + (e.clientX - grab.x) / s, grab.box[1] - (e.clientY - grab.y) / s);
  });
  const drop = () => { grab = null; };
  stamp.addEventListener("pointerup", drop);
  stamp.addEventListener("pointercancel", drop);
  stamp.addEventListener("keydown", (e) => {
    const d = { ArrowLeft: [-STEP, 0], ArrowRight: [STEP, 0], ArrowUp: [0, STEP], ArrowDown: [0, -STEP] }[e.key];
    if (!d) return;
    e.preventDefault();
    moveTo(state.box[0] + d[0], state.box[1] + d[1]);
  });
  select.addEventListener("change", () => show(Number(select.value)));
  window.addEventListener("resize", draw);

  const el = h("div", { class: "placement" }, pageField,
    layout.covers_text ? h("p", { class: "status error", role: "alert", id: "covers-text" }, t("coversText")) : null,
    h("p", { class: "hint" }, t("dragHint")), loading, frame);
  el.ready = show(state.page);
  el.value = () => ({ page: state.page, box: state.box });
  el.dispose = () => { urls.forEach((u) => URL.revokeObjectURL(u)); window.removeEventListener("resize", draw); };
  return el;
}

/** A signature drawn with a finger (or mouse), or a PNG/JPEG picked; ``value()`` gives
 *  the image as base64, or null. */
export function signaturePad() {
  const canvas = h("canvas", { class: "sig-pad", id: "sig-pad", width: 600, height: 200,
    "aria-label": t("sigDraw"), role: "img" });
  const ctx = canvas.getContext("2d");
  let drawn = false, last = null, picked = null;
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
  };
  canvas.addEventListener("pointerdown", (e) => { e.preventDefault(); canvas.setPointerCapture(e.pointerId); last = at(e); });
  canvas.addEventListener("pointermove", (e) => {
    if (!last) return;
    const p = at(e);
    Object.assign(ctx, { lineWidth: 5, lineCap: "round", strokeStyle: "#0a1a4a" });
    ctx.beginPath(); ctx.moveTo(...last); ctx.lineTo(...p); ctx.stroke();
    last = p; drawn = true; picked = null;
  });
  const end = () => { last = null; };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  const clear = h("button", { type: "button", class: "secondary", onclick: () => {
    ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; picked = null; file.value = "";
  } }, t("sigClear"));
  const [fileField, file] = field(t("sigUpload"), { type: "file", name: "signature-image",
    accept: "image/png,image/jpeg" }, t("sigUploadHint"));
  file.addEventListener("change", () => { picked = file.files[0] || null; });
  const el = h("fieldset", { class: "sig" }, h("legend", {}, t("sigTitle")),
    h("p", { class: "hint" }, t("sigHint")), canvas, h("div", { class: "actions" }, clear), fileField);
  el.value = async () => {
    if (picked) {
      if (picked.size > 512 * 1024 || !/^image\/(png|jpeg)$/.test(picked.type)) throw new Error(t("sigBad"));
      return base64(new Uint8Array(await picked.arrayBuffer()));
    }
    if (!drawn) return null;
    const blob = await new Promise((ok) => canvas.toBlob(ok, "image/png"));
    return base64(new Uint8Array(await blob.arrayBuffer()));
  };
  return el;
}

function base64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
