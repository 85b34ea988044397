// Building blocks shared by the screens.
import { h, nextId } from "./dom.js";
import { errorText } from "./errors.js";
import { N_, t } from "./i18n.js";

/** The screen's heading; focused after navigation so screen readers announce it. */
export const title = (text) => h("h1", { tabindex: "-1", text });

export function button(text, onclick, variant = "") {
  return h("button", { type: "button", class: `btn ${variant}`.trim(), text, onclick });
}

export const link = (text, hash, variant = "secondary") =>
  h("a", { class: `btn ${variant}`.trim(), href: hash, text });

/** An area for errors (role=alert: read out when it changes). */
export function errorBox() {
  const box = h("p", { class: "error", role: "alert" });
  box.show = (error) => {
    box.textContent = typeof error === "string" ? error : errorText(error);
  };
  box.clear = () => {
    box.textContent = "";
  };
  return box;
}

export function noticeBox() {
  const box = h("p", { class: "notice", role: "status" });
  box.show = (text) => {
    box.textContent = text;
  };
  box.clear = () => {
    box.textContent = "";
  };
  return box;
}

/** Runs `work` with the button marked busy; errors go to `errors` (if given). */
export async function busy(btn, work, errors) {
  if (btn.getAttribute("aria-busy") === "true") return undefined;
  btn.setAttribute("aria-busy", "true");
  btn.disabled = true;
  errors?.clear();
  try {
    return await work();
  } catch (error) {
    if (errors) errors.show(error);
    else throw error;
    return undefined;
  } finally {
    btn.removeAttribute("aria-busy");
    btn.disabled = false;
  }
}

/** A labelled input. `hint` is linked with aria-describedby. */
export function field(labelText, inputProps, hint) {
  const id = nextId("f");
  const hintId = hint ? `${id}-hint` : null;
  const input = h("input", { id, "aria-describedby": hintId, ...inputProps });
  const wrapper = h(
    "div",
    { class: "field" },
    h("label", { for: id, text: labelText }),
    hint ? h("span", { class: "hint", id: hintId, text: hint }) : null,
    input,
  );
  return { wrapper, input };
}

/** A checkbox or radio with its label around it (the whole row is the touch target). */
export function choice(type, name, value, labelText, extra = {}) {
  const input = h("input", { type, name, value, ...extra });
  const row = h("label", { class: type === "checkbox" ? "check" : "choice" }, input, h("span", { text: labelText }));
  return { row, input };
}

export function spinnerText(text) {
  return [h("span", { class: "spinner", "aria-hidden": "true" }), h("span", { text })];
}

export const loading = () => h("p", { class: "muted", role: "status" }, spinnerText(t("loading")));

/** What to do when the location is off or not allowed (shown after a failed attempt). */
export function geoHelp(code) {
  const steps = code === "location_denied"
    ? [N_("geo_help_allow_1"), N_("geo_help_allow_2"), N_("geo_help_allow_3")]
    : [N_("geo_help_on_1"), N_("geo_help_on_2"), N_("geo_help_on_3")];
  return h("div", { class: "card warn", role: "alert" },
    h("p", { class: "status-title", text: code === "location_denied" ? t("geo_help_denied_title") : t("geo_help_off_title") }),
    h("ol", { class: "steps" }, steps.map((key) => h("li", { text: t(key) }))),
  );
}
