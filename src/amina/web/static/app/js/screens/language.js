// Screen 1 (and Settings): choose the language. Each language is shown in its own name.
import { put } from "../api.js";
import { append, h } from "../dom.js";
import { LANGUAGES, currentLanguage, rememberLanguage, setLanguage, t } from "../i18n.js";
import { state } from "../state.js";
import { kvDel, kvGet, kvSet } from "../store.js";

/** The radio list of languages; `onPick(code)` runs after the catalog is loaded. */
export function languageList(onPick) {
  const list = h("div", { class: "langs", role: "radiogroup", "aria-label": t("language_label") });
  for (const { code, name } of LANGUAGES) {
    const input = h("input", { type: "radio", name: "language", value: code, checked: code === currentLanguage() });
    input.addEventListener("change", async () => {
      await setLanguage(code);
      rememberLanguage(code);
      onPick(code);
    });
    list.append(h("label", { class: "choice", lang: code }, input, h("span", { text: name })));
  }
  return list;
}

/** Tells the server, so SMS and notifications come in this language too (now, or once online). */
export async function saveLanguagePreference(code) {
  await kvSet("language_pending", code);
  await syncLanguagePreference();
}

export async function syncLanguagePreference() {
  const code = await kvGet("language_pending");
  if (!code || !state.session) return;
  await put("/api/v1/me/preferences", { language: code });
  await kvDel("language_pending");
  if (state.me) state.me.language = code;
}

export function render(root, { go, rerender }) {
  append(root, 
    h("h1", { tabindex: "-1", text: t("language_title") }),
    h("p", { class: "muted", text: t("language_intro") }),
    languageList(() => rerender('input[name="language"]:checked')),
    h("button", {
      type: "button",
      class: "btn",
      text: t("continue"),
      onclick: async () => {
        rememberLanguage(currentLanguage());
        go("signin");
      },
    }),
  );
}
