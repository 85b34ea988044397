// Screen 11: background tracking with OwnTracks, so reports arrive even when Amina is closed.
import { get, post, put } from "../api.js";
import { append, h, svgImage } from "../dom.js";
import { t } from "../i18n.js";
import { busy, errorBox, title } from "../ui.js";

/** Only an owntracks: link may be opened from here. */
const ownTracksLink = (value) => (typeof value === "string" && /^owntracks:/i.test(value) ? value : null);

function setupCard(setup) {
  const link = ownTracksLink(setup.config_url);
  return h("div", { class: "card" },
    h("h2", { text: t("tracking_ready") }),
    h("ol", { class: "steps" },
      h("li", { text: t("tracking_step_install") }),
      h("li", { text: link ? t("tracking_step_open") : t("tracking_step_scan") }),
      h("li", { text: t("tracking_step_allow") }),
    ),
    link ? h("a", { class: "btn", href: link, text: t("tracking_open_app") }) : null,
    setup.qr_svg ? svgImage(setup.qr_svg, t("tracking_qr_alt")) : null,
    h("p", { class: "small muted", text: t("tracking_scan_other") }),
    setup.username ? h("details", null,
      h("summary", { class: "link", text: t("tracking_manual") }),
      h("dl", { class: "facts" },
        h("dt", { text: t("tracking_mode") }), h("dd", { text: "HTTP" }),
        h("dt", { text: t("tracking_url") }), h("dd", { class: "mono", text: setup.url || "" }),
        h("dt", { text: t("tracking_username") }), h("dd", { class: "mono", text: setup.username }),
        h("dt", { text: t("tracking_password") }), h("dd", { class: "mono", text: setup.password || "" }),
      ),
      setup.mqtt ? h("dl", { class: "facts" },
        h("dt", { text: t("tracking_mode") }), h("dd", { text: "MQTT" }),
        h("dt", { text: t("bg_mqtt_host") }), h("dd", { class: "mono", text: `${setup.mqtt.host}:${setup.mqtt.port}` }),
        h("dt", { text: t("bg_mqtt_topic") }), h("dd", { class: "mono", text: setup.mqtt.topic }),
      ) : null,
      h("p", { class: "small", text: t("tracking_password_once") }),
    ) : null,
  );
}

function traccarCard(setup) {
  return h("div", { class: "card" },
    h("h2", { text: t("bg_traccar_ready") }),
    h("ol", { class: "steps" },
      h("li", { text: t("bg_traccar_step_install") }),
      h("li", { text: t("bg_traccar_step_scan") }),
      h("li", { text: t("bg_traccar_step_allow") }),
    ),
    setup.qr_svg ? svgImage(setup.qr_svg, t("bg_traccar_qr_alt")) : null,
    h("dl", { class: "facts" },
      h("dt", { text: t("bg_traccar_url") }), h("dd", { class: "mono", text: setup.server_url }),
      h("dt", { text: t("bg_traccar_id") }), h("dd", { class: "mono", text: setup.device_id }),
    ),
    h("p", { class: "small", text: t("bg_traccar_id_once") }),
  );
}

function nudgeToggle(errors) {
  const box = h("input", { type: "checkbox", id: "bg-nudge" });
  box.disabled = true;
  get("/api/v1/me/nudge").then((state) => { box.checked = state.enabled; box.disabled = false; }, () => {});
  box.addEventListener("change", async () => {
    box.disabled = true;
    try {
      const state = await put("/api/v1/me/nudge", { enabled: box.checked });
      box.checked = state.enabled;
    } catch (error) {
      box.checked = !box.checked;
      errors.show?.(error);
    } finally {
      box.disabled = false;
    }
  });
  return h("div", { class: "card" },
    h("label", { for: "bg-nudge" }, box, " ", t("bg_nudge_label")),
    h("p", { class: "small muted", text: t("bg_nudge_hint") }),
  );
}

export function render(root) {
  const errors = errorBox();
  const result = h("div");
  const start = h("button", { type: "button", class: "btn", text: t("tracking_start") });
  start.addEventListener("click", () =>
    busy(start, async () => {
      const setup = await post("/api/v1/me/devices/owntracks", {});
      result.replaceChildren(setupCard(setup));
      start.hidden = true;
    }, errors),
  );
  const traccar = h("button", { type: "button", class: "btn secondary", text: t("bg_traccar_start") });
  const traccarResult = h("div");
  traccar.addEventListener("click", () =>
    busy(traccar, async () => {
      traccarResult.replaceChildren(traccarCard(await post("/api/v1/me/devices/traccar", {})));
      traccar.hidden = true;
    }, errors),
  );
  append(root,
    title(t("tracking_title")),
    h("p", { text: t("tracking_intro") }),
    h("p", { class: "note", text: t("tracking_battery") }),
    errors,
    start,
    result,
    h("p", { class: "small muted", text: t("bg_traccar_intro") }),
    traccar,
    traccarResult,
    nudgeToggle(errors),
  );
}
