// Screen 9: my data. The full export as a file, and a calendar of days with and without reports.
import { download, get } from "../api.js";
import { append, h } from "../dom.js";
import { errorText } from "../errors.js";
import { N_, t } from "../i18n.js";
import { state } from "../state.js";
import { addDays, formatDateTime, formatDay, formatMonthRange, isoWeekday, moscowParts, todayMoscow, ymd } from "../time.js";
import { busy, errorBox, loading, noticeBox, title } from "../ui.js";

const SHORT_DAYS = [N_("wd_1"), N_("wd_2"), N_("wd_3"), N_("wd_4"), N_("wd_5"), N_("wd_6"), N_("wd_7")];

function monthBounds(year, month) {
  const first = ymd(year, month, 1);
  const last = addDays(month === 12 ? ymd(year + 1, 1, 1) : ymd(year, month + 1, 1), -1);
  return { first, last };
}

function dayCell(day, today, since) {
  const number = Number(day.date.slice(8));
  let kind = "no";
  let label = t("cal_no_report");
  let mark = "✕";
  if (day.date > today || (!day.had_report && since && day.date < since)) {
    kind = "none";
    label = "";
    mark = "";
  } else if (day.had_report && day.inside_territory === false) {
    kind = "out";
    label = t("cal_outside");
    mark = "●";
  } else if (day.had_report) {
    kind = "yes";
    label = t("cal_report");
    mark = "✓";
  }
  const text = label ? `${formatDay(day.date)}: ${label}` : formatDay(day.date);
  return h("div", { class: `day ${kind}`, role: "listitem", "aria-label": text, title: text },
    h("span", { "aria-hidden": "true", text: String(number) }),
    h("span", { class: "mark", "aria-hidden": "true", text: mark }),
  );
}

function calendar(container) {
  const today = todayMoscow();
  // Days before the registration are no one's fault: shown plain, not as missing.
  const registration = state.me && state.me.registration;
  const since = registration && registration.registered_at ? moscowParts(registration.registered_at).ymd : null;
  let year = Number(today.slice(0, 4));
  let month = Number(today.slice(5, 7));
  const heading = h("h2", { "aria-live": "polite" });
  const grid = h("div", { class: "cal", role: "list" });
  const errors = errorBox();
  const prev = h("button", { type: "button", class: "btn secondary", "aria-label": t("cal_prev"), text: "‹" });
  const next = h("button", { type: "button", class: "btn secondary", "aria-label": t("cal_next"), text: "›" });

  const show = async () => {
    const { first, last } = monthBounds(year, month);
    heading.textContent = formatMonthRange(first, last);
    next.disabled = last >= today;
    grid.replaceChildren(loading());
    errors.clear();
    const to = last < today ? last : today;
    let days = [];
    try {
      const data = await get(`/api/v1/me/presence?from=${first}&to=${to}`);
      days = (data && data.days) || [];
    } catch (error) {
      grid.replaceChildren();
      errors.show(error);
      return;
    }
    const byDate = new Map(days.map((d) => [d.date, d]));
    const cells = SHORT_DAYS.map((key) => h("div", { class: "dow", "aria-hidden": "true", text: t(key) }));
    for (let i = 1; i < isoWeekday(first); i += 1) cells.push(h("div", { "aria-hidden": "true" }));
    for (let date = first; date <= last; date = addDays(date, 1)) {
      cells.push(dayCell(byDate.get(date) || { date, had_report: false, inside_territory: null }, today, since));
    }
    grid.replaceChildren(...cells);
  };
  prev.addEventListener("click", () => {
    [year, month] = month === 1 ? [year - 1, 12] : [year, month - 1];
    show();
  });
  next.addEventListener("click", () => {
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
    show();
  });
  container.append(
    h("div", { class: "cal-head" }, prev, heading, next),
    errors,
    grid,
    h("div", { class: "legend" },
      h("p", null, h("span", { class: "yes" }), t("cal_report")),
      h("p", null, h("span", { class: "out" }), t("cal_outside")),
      h("p", null, h("span", { class: "no" }), t("cal_no_report")),
    ),
  );
  show();
}

function looksCard() {
  const errors = errorBox();
  const list = h("div");
  const show = h("button", { type: "button", class: "btn secondary", text: t("looks_button") });
  show.addEventListener("click", () => busy(show, async () => {
    await showLooks(list);
    show.hidden = true;
  }, errors));
  return h("div", { class: "card" },
    h("h2", { text: t("looks_title") }),
    h("p", { class: "small", text: t("looks_intro") }),
    errors, show, list,
  );
}

async function saveExport(notice) {
  const blob = await download("/api/v1/me/export");
  const name = `amina-${todayMoscow()}.json`;
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  notice.show(t("export_saved", { file: name }));
}

/** Every look at the record by an officer is audited with a reason; the export lists them. */
async function showLooks(container) {
  const data = await get("/api/v1/me/export");
  const looks = ((data && data.audit_events) || []).filter((event) => event.actor_type === "officer");
  if (!looks.length) {
    container.replaceChildren(h("p", { class: "muted", text: t("looks_none") }));
    return;
  }
  container.replaceChildren(h("ul", { class: "plain" }, looks.reverse().map((event) =>
    h("li", { class: "card" },
      h("p", { class: "small muted", text: formatDateTime(event.at) }),
      h("p", { text: t("looks_officer") }),
      event.reason ? h("p", null, t("looks_reason"), " ", h("q", { text: event.reason })) : null,
    ),
  )));
}

export function render(root) {
  const errors = errorBox();
  const notice = noticeBox();
  const exportButton = h("button", { type: "button", class: "btn", text: t("export_button") });
  exportButton.addEventListener("click", () => busy(exportButton, () => saveExport(notice), errors));
  const cal = h("div");

  append(root, 
    title(t("mydata_title")),
    h("div", { class: "card" },
      h("h2", { text: t("export_title") }),
      h("p", { text: t("export_text") }),
      errors, notice, exportButton,
    ),
    h("div", { class: "card" },
      h("h2", { text: t("calendar_title") }),
      h("p", { class: "small", text: t("calendar_text") }),
      cal,
    ),
    looksCard(),
    h("div", { class: "card" },
      h("h2", { text: t("retention_title") }),
      h("p", { text: t("consent_how_long_raw") }),
      h("p", { text: t("consent_how_long_registration") }),
    ),
  );
  try {
    calendar(cal);
  } catch (error) {
    cal.append(h("p", { class: "error", text: errorText(error) }));
  }
}
