// The server's words for its codes (GET /api/v1/vocabulary), fetched once per language:
// the pages show these labels, never a code, and keep no copy of their own.
import { get } from "./api.js";
import { lang, t } from "./i18n.js";

const loaded = new Map();

/** Load the vocabulary of the current language (call before ``word``). */
export async function vocabulary() {
  const current = lang();
  if (!loaded.has(current)) loaded.set(current, await get("/vocabulary"));
  return loaded.get(current);
}

/** The label of ``code`` in ``group``; "other" for a code the server does not name. */
export function word(group, code) {
  const words = loaded.get(lang())?.[group] || {};
  return words[code] ?? t("otherWord");
}
