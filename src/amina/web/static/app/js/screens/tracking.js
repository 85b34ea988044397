// Screen 11: background tracking with OwnTracks, so reports arrive even when Amina is closed.
import { post } from "../api.js";
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
      h("p", { class: "small", text: t("tracking_password_once") }),
    ) : null,
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
  append(root, 
    title(t("tracking_title")),
    h("p", { text: t("tracking_intro") }),
    h("p", { class: "note", text: t("tracking_battery") }),
    errors,
    start,
    result,
  );
}
