// Screen 4: consent, in plain words, with two separate boxes to tick.
import { append, h } from "../dom.js";
import { N_, t } from "../i18n.js";
import { state } from "../state.js";
import { choice, errorBox, title } from "../ui.js";

const section = (heading, ...keys) => [
  h("h2", { text: t(heading) }),
  keys.map((key) => h("p", { text: t(key) })),
];

export function render(root, { go }) {
  const errors = errorBox();
  const personal = choice("checkbox", "personal_data", "yes", t("consent_check_personal"));
  const geo = choice("checkbox", "geolocation", "yes", t("consent_check_geo"));
  const version = state.config && state.config.consent_version;

  const agree = h("button", {
    type: "button",
    class: "btn",
    text: t("consent_agree"),
    onclick: () => {
      if (!personal.input.checked || !geo.input.checked) {
        errors.show(t("consent_both"));
        (personal.input.checked ? geo.input : personal.input).focus();
        return;
      }
      if (!version) {
        errors.show(t("err_offline"));
        return;
      }
      state.consent = { personal_data: true, geolocation: true, version };
      go("register");
    },
  });

  append(root, 
    title(t("consent_title")),
    h("p", { class: "big", text: t("consent_intro") }),
    h("div", { class: "card" },
      section(N_("consent_what_h"), N_("consent_what")),
      section(N_("consent_why_h"), N_("consent_why")),
      section(N_("consent_how_long_h"), N_("consent_how_long_raw"), N_("consent_how_long_registration")),
      section(N_("consent_who_h"), N_("consent_who"), N_("consent_who_log")),
    ),
    h("fieldset", null,
      h("legend", { class: "label", text: t("consent_legend") }),
      personal.row,
      geo.row,
    ),
    errors,
    agree,
    version ? h("p", { class: "muted small", text: t("consent_version", { version }) }) : null,
  );
}
