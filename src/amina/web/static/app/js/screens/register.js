// Screen 5: registration at the address of the migration centre, with the first location.
import { post } from "../api.js";
import { refreshMe } from "../app.js";
import { append, h } from "../dom.js";
import { GeoError, currentPosition, positionReport } from "../geo.js";
import { t } from "../i18n.js";
import { state } from "../state.js";
import { kvSet } from "../store.js";
import { busy, errorBox, geoHelp, spinnerText, title } from "../ui.js";

export function render(root, { go }) {
  if (!state.consent) {
    go("consent");
    return;
  }
  const errors = errorBox();
  const help = h("div");
  const status = h("p", { class: "muted", role: "status" });
  const address = (state.config && state.config.mmc_address) || t("mmc_name");

  const submit = h("button", { type: "button", class: "btn huge", text: t("register_button") });
  submit.addEventListener("click", () =>
    busy(submit, async () => {
      help.replaceChildren();
      status.replaceChildren(...spinnerText(t("finding_location")));
      let location;
      try {
        location = positionReport(await currentPosition());
      } catch (error) {
        status.replaceChildren();
        if (error instanceof GeoError) help.append(geoHelp(error.code));
        throw error;
      }
      status.replaceChildren(...spinnerText(t("registering")));
      try {
        await post("/api/v1/me/registration", { consent: state.consent, location });
      } catch (error) {
        status.replaceChildren();
        if (error.code === "already_registered") {
          const me = await refreshMe();
          go(me.residence ? "home" : "residence");
          return;
        }
        if (error.code === "consent_required") state.consent = null;
        throw error;
      }
      await kvSet("last_report_at", Date.now());
      const me = await refreshMe();
      go(me.residence ? "home" : "residence");
    }, errors),
  );

  append(root, 
    title(t("register_title")),
    h("p", { text: t("register_intro") }),
    h("div", { class: "card info" },
      h("p", { class: "small muted", text: t("mmc_address_label") }),
      h("p", { class: "big", text: address }),
    ),
    h("p", { text: t("register_location_note") }),
    errors,
    help,
    status,
    submit,
  );
}
