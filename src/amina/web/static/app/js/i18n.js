// UI catalogs: /app/i18n/{lang}.json, one flat object of keys. Only the chosen language is
// fetched; the last good copy is kept in IndexedDB so an offline start still speaks it.
import { kvGet, kvSet } from "./store.js";

/** Each language in its own name. */
export const LANGUAGES = [
  { code: "ru", name: "Русский" },
  { code: "uz", name: "Oʻzbekcha" },
  { code: "tg", name: "Тоҷикӣ" },
  { code: "ky", name: "Кыргызча" },
  { code: "kk", name: "Қазақша" },
  { code: "hy", name: "Հայերեն" },
  { code: "ka", name: "ქართული" },
  { code: "az", name: "Azərbaycanca" },
  { code: "ro", name: "Română" },
  { code: "uk", name: "Українська" },
  { code: "en", name: "English" },
];
export const DEFAULT_LANGUAGE = "ru";
const CODES = new Set(LANGUAGES.map((l) => l.code));

let catalog = {};
let language = DEFAULT_LANGUAGE;

/** Marks a key used indirectly (looked up later through a map), so the catalog check sees it. */
export const N_ = (key) => key;

export function t(key, params) {
  let text = Object.hasOwn(catalog, key) ? catalog[key] : key;
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.hasOwn(params, name) ? String(params[name]) : whole,
    );
  }
  return text;
}

export const currentLanguage = () => language;

// The chosen language lives in localStorage (not IndexedDB): it is read synchronously at start,
// so the catalog request goes out at once.
const CHOSEN = "amina-language";
export function chosenLanguage() {
  try {
    const code = localStorage.getItem(CHOSEN);
    return CODES.has(code) ? code : null;
  } catch {
    return null;
  }
}
export function rememberLanguage(code) {
  try {
    localStorage.setItem(CHOSEN, code);
  } catch {
    // private mode: the choice lasts for this visit
  }
}
export const isSupported = (code) => CODES.has(code);

/** The browser's first supported language, else Russian. */
export function detectLanguage() {
  for (const tag of navigator.languages || [navigator.language]) {
    const primary = String(tag || "").toLowerCase().split("-")[0];
    if (CODES.has(primary)) return primary;
  }
  return DEFAULT_LANGUAGE;
}

async function fetchCatalog(code) {
  try {
    const response = await fetch(`/app/i18n/${code}.json`);
    if (response.ok) {
      const data = await response.json();
      kvSet(`catalog:${code}`, data).catch(() => {});
      return data;
    }
  } catch {
    // offline and not in the service worker's cache: use the stored copy below
  }
  return kvGet(`catalog:${code}`);
}

export async function setLanguage(code) {
  if (!CODES.has(code)) code = DEFAULT_LANGUAGE;
  const data = await fetchCatalog(code);
  if (!data) throw new Error(`no catalog for ${code}`);
  catalog = data;
  language = code;
  document.documentElement.lang = code;
  document.documentElement.dir = "ltr"; // all eleven languages are written left to right
  document.title = t("app_name");
  return code;
}
