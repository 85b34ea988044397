// Screen 12: settings (language, notifications, sign out), and the "More" menu.
import { api } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { enablePush, pushState } from "../push.js";
import { flush } from "../queue.js";
import { clearSession } from "../state.js";
import { busy, errorBox, title } from "../ui.js";
import { languageList, saveLanguagePreference } from "./language.js";

export async function signOut() {
  await flush().catch(() => {}); // hand over what is queued while the session still works
  await api("DELETE", "/api/v1/auth/sessions/current").catch(() => {});
  await clearSession();
}

async function pushSection(container) {
  const status = await pushState();
  if (status === "unavailable") return;
  const errors = errorBox();
  if (status === "enabled") {
    container.append(h("h2", { text: t("push_title") }), h("p", { text: t("push_enabled") }));
    return;
  }
  const enable = h("button", { type: "button", class: "btn secondary", text: t("push_enable") });
  enable.addEventListener("click", () => busy(enable, async () => {
    await enablePush();
    enable.replaceWith(h("p", { text: t("push_enabled") }));
  }, errors));
  container.append(h("h2", { text: t("push_title") }), h("p", { class: "small", text: t("push_text") }), errors, enable);
}

export function render(root, { rerender }) {
  const errors = errorBox();
  const push = h("div");
  const out = h("button", { type: "button", class: "btn danger", text: t("sign_out") });
  out.addEventListener("click", () => busy(out, signOut, errors));

  append(root, 
    title(t("settings_title")),
    h("h2", { text: t("language_label") }),
    h("p", { class: "small muted", text: t("language_settings_note") }),
    languageList((code) => {
      // The screen speaks the new language at once; the server hears of it now or when online.
      saveLanguagePreference(code).catch(() => {});
      rerender('input[name="language"]:checked');
    }),
    push,
    h("h2", { text: t("sign_out") }),
    h("p", { class: "small", text: t("sign_out_text") }),
    errors,
    out,
  );
  pushSection(push).catch(() => {});
}

export function renderMore(root) {
  const entry = (hash, text) => h("li", null, h("a", { href: hash, text }));
  append(root, 
    title(t("more_title")),
    h("ul", { class: "menu" },
      entry("#/residence", t("residence_title")),
      entry("#/data", t("mydata_title")),
      entry("#/tracking", t("tracking_title")),
      entry("#/settings", t("settings_title")),
    ),
  );
}
