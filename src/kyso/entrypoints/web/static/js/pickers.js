// Date and file controls that speak the page's language: the browser's own pickers show its
// UI language ("mm/dd/yyyy", "Choose file", "No file chosen") whatever the page says.
// - A date is typed as dd/MM/yyyy (4/3/1991, 04.03.1991 and 04031991 too); the input's
//   .value reads yyyy-mm-dd (what the API takes, "" until the text is a real date) and can be
//   set the same way; wrongDate() says under the field, in words, that the text is no date.
// - A file input stays the real, focusable input (keyboard and screen readers use it as
//   ever) laid invisibly over a "Chọn tệp" button, with the chosen name or "Chưa chọn tệp
//   nào" beside it.
import { h } from "./dom.js";
import { t } from "./i18n.js";

const NATIVE = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
const pad = (n) => String(n).padStart(2, "0");

/** "04/03/1991" (or 4/3/1991, 04-03-1991, 04.03.1991, 04031991) → "1991-03-04"; else null. */
export function isoDate(text) {
  const s = text.trim();
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s) || /^(\d{2})(\d{2})(\d{4})$/.exec(s);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || y > 2100 || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  return `${y}-${pad(mo)}-${pad(d)}`;
}

/** "1991-03-04" → "04/03/1991" (anything else as it is). */
export function shownDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  return m ? `${m[3]}/${m[2]}/${m[1]}` : (iso || "");
}

/** The parts of a date field: [input, error line]; ids as field() makes them. */
export function datePicker(id, attrs) {
  const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const input = h("input", { id, ...attrs, type: "text", tag: null, options: null, inputmode: "numeric",
    placeholder: t("datePlaceholder"), maxlength: 10, "data-picker": "date",
    "aria-describedby": [attrs["aria-describedby"], `${id}-error`].filter(Boolean).join(" ") });
  Object.defineProperty(input, "value", {
    configurable: true,
    get() { return isoDate(NATIVE.get.call(input)) || ""; },
    set(v) { NATIVE.set.call(input, shownDate(v)); check(false); },
  });
  function check(strict) {
    const text = NATIVE.get.call(input).trim();
    const wrong = text !== "" && !isoDate(text);
    if (wrong && strict) {
      error.textContent = t("dateWrong");
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
    } else if (!wrong) {
      error.hidden = true;
      input.removeAttribute("aria-invalid");
    }
  }
  // a fixed date clears the error at once; a wrong one is said when the form is sent (said on
  // leaving the field, the line would move the button a finger is already on)
  input.addEventListener("input", () => check(false));
  /** True (and said under the field) when something is typed that is no date. */
  input.wrongDate = () => { check(true); return !error.hidden; };
  return [input, error];
}

/** The parts of a file field: [box with input, button face and chosen name]. */
export function filePicker(id, attrs, label = "") {
  const chosen = h("span", { class: "file-chosen", id: `${id}-chosen`, "aria-live": "polite" }, t("fileNone"));
  const input = h("input", { id, ...attrs, tag: null, options: null, capture: null, type: "file", class: "file-input",
    "aria-describedby": [`${id}-chosen`, attrs["aria-describedby"]].filter(Boolean).join(" ") });
  const show = () => {
    const names = [...(input.files || [])].map((f) => f.name);
    chosen.textContent = names.length ? names.join(", ") : t("fileNone");
  };
  input.addEventListener("change", show);
  input.addEventListener("cancel", show);
  Object.defineProperty(input, "value", {  // value = "" empties the choice: say so
    configurable: true,
    get() { return NATIVE.get.call(input); },
    set(v) { NATIVE.set.call(input, v); show(); },
  });
  // beside the camera, the chooser is for a photo already taken
  const face = h("span", { class: "file-button", "aria-hidden": "true" },
    t(attrs.capture ? "filePhoto" : "fileChoose"));
  return h("div", { class: "file-picker" }, h("span", { class: "file-face" }, input, face),
    attrs.capture ? camera(input, attrs, label) : null, chosen);
}

/** "Chụp ảnh": the phone's camera (``capture``: "environment", the back one, for a card;
 *  "user", the front one, for a portrait) straight into ``input``, beside "Chọn ảnh có sẵn"
 *  for a photo already taken — a phone's file chooser does not always offer the camera. */
function camera(input, attrs, label) {
  const shot = h("input", { type: "file", class: "file-input", accept: attrs.accept || "image/*",
    capture: attrs.capture, id: `${input.id}-camera`, "aria-label": `${label} — ${t("fileCamera")}`,
    "aria-describedby": `${input.id}-chosen` });
  shot.addEventListener("change", () => {
    const [file] = shot.files || [];
    if (!file) return;
    const moved = new DataTransfer();  // the photo becomes the field's own file
    moved.items.add(file);
    input.files = moved.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    shot.value = "";
  });
  return h("span", { class: "file-face" }, shot,
    h("span", { class: "file-button", "aria-hidden": "true" }, t("fileCamera")));
}
