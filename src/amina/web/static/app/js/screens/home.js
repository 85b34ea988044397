// Screen 7: Home. The status, the last report, the next deadline in plain words, and one big
// button that confirms the location now.
import { isRegistered, needsNothing, refreshMe, reportNow } from "../app.js";
import { append, h } from "../dom.js";
import { errorText, reasonText } from "../errors.js";
import { N_, t } from "../i18n.js";
import { dismissPush, enablePush, pushState } from "../push.js";
import { on, state } from "../state.js";
import { deadline, formatDate, formatDateTime, formatTime, moscowParts } from "../time.js";
import { busy, errorBox, geoHelp, spinnerText, title } from "../ui.js";
import { residenceText } from "./residence.js";

const GROUNDS = {
  no_geolocation: N_("ground_no_geolocation"),
  registered_elsewhere: N_("ground_registered_elsewhere"),
  left_country: N_("ground_left_country"),
  death: N_("ground_death"),
  officer_decision: N_("ground_officer_decision"),
};

const card = (variant, ...children) => h("div", { class: `card ${variant}` }, ...children);
const past = (instant) => Boolean(instant) && new Date(instant).getTime() <= Date.now();

function testModeCard(me) {
  const testMode = me.test_mode || (me.registration && me.registration.test_mode);
  if (!testMode) return null;
  const from = me.eligibility && me.eligibility.required_from;
  return card("info",
    h("p", { class: "status-title", text: t("test_mode_title") }),
    h("p", { text: from ? t("test_mode_text", { date: formatDate(from) }) : t("test_mode_text_no_date") }),
  );
}

function registrationCard(me) {
  const registration = me.registration;
  if (!registration) {
    if (needsNothing(me)) {
      return card("info",
        h("p", { class: "status-title", text: t("status_not_required") }),
        h("p", { text: reasonText(me.eligibility.reason) }),
      );
    }
    return card("warn",
      h("p", { class: "status-title", text: t("status_not_registered") }),
      h("p", { text: t("status_not_registered_text") }),
      h("a", { class: "btn", href: "#/consent", text: t("register_now") }),
    );
  }
  if (registration.status === "deregistered") {
    const ground = GROUNDS[registration.ground];
    return card("bad",
      h("p", { class: "status-title", text: t("status_deregistered") }),
      registration.deregistered_at
        ? h("p", { text: t("deregistered_on", { date: formatDateTime(registration.deregistered_at) }) })
        : null,
      ground ? h("p", { text: t(ground) }) : null,
      needsNothing(me) ? null : [
        h("p", { text: t("register_again_text") }),
        h("a", { class: "btn", href: "#/consent", text: t("register_again") }),
      ],
    );
  }
  return card("ok",
    h("p", { class: "status-title", text: t("status_registered") }),
    h("p", { class: "small" }, t("registered_at_address"), " ", registration.address),
    registration.registered_at
      ? h("p", { class: "small", text: t("registered_since", { date: formatDate(moscowParts(registration.registered_at).ymd) }) })
      : null,
  );
}

function deadlineSentence(me, info) {
  const testMode = me.test_mode || me.registration.test_mode;
  if (info.overdue) return t("deadline_overdue");
  if (testMode) return t("deadline_test", { last_day: info.midnight ? info.lastDay : info.when });
  if (info.midnight) return t("deadline_midnight", { last_day: info.lastDay, dereg_day: info.deregDay });
  return t("deadline_at", { when: info.when });
}

function monitoringCard(me) {
  if (!isRegistered(me)) return null;
  const monitoring = me.monitoring || {};
  const last = monitoring.last_monitoring_at;
  let variant = "info";
  if (past(monitoring.reminder_at)) variant = "warn";
  if (past(monitoring.final_warning_at)) variant = "bad";
  const info = monitoring.deregistration_at ? deadline(monitoring.deregistration_at) : null;
  return card(variant,
    info ? [
      h("p", { class: "small muted", text: t("next_deadline") }),
      h("p", { class: "deadline", "data-testid": "deadline", text: deadlineSentence(me, info) }),
    ] : null,
    h("p", { class: "small" }, `${t("last_report")}: `, h("strong", { text: last ? formatDateTime(last) : t("no_report_yet") })),
  );
}

function registryCard(me) {
  if (!me.registry || !me.registry.listed) return null;
  return card("bad",
    h("p", { class: "status-title", text: t("registry_listed") }),
    h("p", { text: t("registry_listed_text") }),
  );
}

function residenceCard(me) {
  if (!isRegistered(me)) return null;
  if (!me.residence) {
    return card("warn",
      h("p", { class: "status-title", text: t("residence_missing") }),
      h("p", { text: t("residence_missing_text") }),
      h("a", { class: "btn", href: "#/residence", text: t("residence_declare") }),
    );
  }
  return card("",
    h("p", { class: "small muted", text: t("where_i_live") }),
    h("p", { class: "big", text: residenceText(me.residence) }),
    h("a", { class: "link", href: "#/residence", text: t("residence_moved") }),
  );
}

async function pushOffer(container) {
  if (!isRegistered(state.me) || (await pushState()) !== "off") return;
  const errors = errorBox();
  const yes = h("button", { type: "button", class: "btn", text: t("push_enable") });
  const no = h("button", { type: "button", class: "btn secondary", text: t("not_now") });
  const box = card("info", h("p", { class: "status-title", text: t("push_title") }), h("p", { text: t("push_text") }), errors, yes, no);
  yes.addEventListener("click", () => busy(yes, async () => {
    await enablePush();
    box.replaceChildren(h("p", { class: "status-title", text: t("push_enabled") }));
  }, errors));
  no.addEventListener("click", async () => {
    await dismissPush();
    box.remove();
  });
  container.replaceChildren(box);
}

function reportResult(result, help) {
  help.replaceChildren();
  if (result.geoError) help.append(geoHelp(result.geoError.code));
  if (result.outcome === "sent" && !result.geoError) {
    return card("ok", h("p", { class: "status-title", text: t("report_sent", { time: formatTime(result.report.recorded_at) }) }));
  }
  if (result.outcome === "sent") return card("warn", h("p", { text: t("report_heartbeat_sent") }));
  if (result.outcome === "rejected") return card("bad", h("p", { text: errorText(result.rejection) }));
  if (result.error && !["offline", "timeout"].includes(result.error.code) && result.error.status < 500) {
    return card("bad", h("p", { text: errorText(result.error) }));
  }
  return card("info", h("p", { text: t("report_queued") }));
}

export function render(root, { onCleanup }) {
  const statusArea = h("div");
  const result = h("div", { role: "status" });
  const help = h("div");
  const confirm = h("button", { type: "button", class: "btn huge", "data-testid": "confirm" }, t("confirm_location"));
  const action = h("div", null, result, help, confirm,
    h("p", { class: "muted small", text: t("confirm_hint") }),
    h("p", { class: "muted small", text: t("deadline_rule") }),
  );
  const extras = h("div");
  const push = h("div");

  confirm.addEventListener("click", () =>
    busy(confirm, async () => {
      result.replaceChildren(h("p", { class: "muted" }, spinnerText(t("finding_location"))));
      const outcome = await reportNow();
      result.replaceChildren(reportResult(outcome, help));
    }).catch((error) => result.replaceChildren(card("bad", h("p", { text: errorText(error) })))),
  );

  const draw = () => {
    const me = state.me;
    if (!me) {
      statusArea.replaceChildren(h("p", { class: "muted" }, spinnerText(t("loading"))));
      action.hidden = true;
      return;
    }
    statusArea.replaceChildren(
      ...[testModeCard(me), registryCard(me), registrationCard(me), monitoringCard(me)].filter(Boolean),
    );
    action.hidden = !isRegistered(me);
    extras.replaceChildren(...[residenceCard(me)].filter(Boolean), h("a", { class: "btn secondary", href: "#/patent", "data-testid": "patent-link", text: t("patent_home_link") }));
    pushOffer(push).catch(() => {});
  };

  const name = state.me && state.me.person ? state.me.person.given_names : "";
  append(root, title(name ? t("home_hello", { name }) : t("home_title")), statusArea, action, extras, push,
    h("p", null, h("a", { class: "btn secondary", href: "#/bookings", "data-testid": "home-bookings", text: t("booking_home_link") })));
  draw();
  onCleanup(on("me", draw));
  // Fresh status in the background; the last known one is already on the screen.
  refreshMe().catch((error) => {
    if (!state.me) statusArea.replaceChildren(card("bad", h("p", { text: errorText(error) })));
  });
}
