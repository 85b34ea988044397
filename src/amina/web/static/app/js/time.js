// Dates and times, always in Moscow time. Intl.DateTimeFormat in the person's locale where the
// browser really has that locale's data; otherwise month and weekday names from the catalog.
import { N_, currentLanguage, t } from "./i18n.js";

export const TZ = "Europe/Moscow";
const WEEKDAYS = [
  N_("weekday_1"), N_("weekday_2"), N_("weekday_3"), N_("weekday_4"),
  N_("weekday_5"), N_("weekday_6"), N_("weekday_7"),
];
const MONTHS = [
  N_("month_1"), N_("month_2"), N_("month_3"), N_("month_4"), N_("month_5"), N_("month_6"),
  N_("month_7"), N_("month_8"), N_("month_9"), N_("month_10"), N_("month_11"), N_("month_12"),
];

const partsFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: TZ, year: "numeric", month: "numeric", day: "numeric",
  hour: "numeric", minute: "numeric", hourCycle: "h23",
});

/** Moscow wall-clock fields of an instant. */
export function moscowParts(instant) {
  const parts = {};
  for (const p of partsFormat.formatToParts(new Date(instant))) parts[p.type] = p.value;
  const year = Number(parts.year), month = Number(parts.month), day = Number(parts.day);
  return { year, month, day, hour: Number(parts.hour) % 24, minute: Number(parts.minute), ymd: ymd(year, month, day) };
}

const pad = (n) => String(n).padStart(2, "0");
export const ymd = (y, m, d) => `${y}-${pad(m)}-${pad(d)}`;
export const todayMoscow = () => moscowParts(Date.now()).ymd;

/** Noon UTC on a calendar date: the same date in Moscow, safe to format in either zone. */
export function dateOf(ymdText) {
  const [y, m, d] = ymdText.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d, 12));
}
export const addDays = (ymdText, days) => {
  const date = dateOf(ymdText);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
};
/** 1 = Monday … 7 = Sunday. */
export const isoWeekday = (ymdText) => ((dateOf(ymdText).getUTCDay() + 6) % 7) + 1;

const intlChecked = new Map();
/** Whether this browser has real month and weekday names for `lang` (some ship only stubs). */
export function intlWorks(lang) {
  if (!intlChecked.has(lang)) {
    let works = false;
    try {
      if (Intl.DateTimeFormat.supportedLocalesOf([lang]).length) {
        const parts = new Intl.DateTimeFormat(lang, {
          timeZone: "UTC", weekday: "long", month: "long", day: "numeric",
        }).formatToParts(new Date(Date.UTC(2026, 10, 25, 12)));
        const month = (parts.find((p) => p.type === "month") || {}).value || "";
        const weekday = (parts.find((p) => p.type === "weekday") || {}).value || "";
        works = !/\d/.test(month) && (lang === "en" || !/^Wed/.test(weekday));
      }
    } catch {
      works = false;
    }
    intlChecked.set(lang, works);
  }
  return intlChecked.get(lang);
}

function names(ymdText) {
  const [y, m, d] = ymdText.split("-").map(Number);
  return { year: y, month: t(MONTHS[m - 1]), day: d, weekday: t(WEEKDAYS[isoWeekday(ymdText) - 1]) };
}

/** "Wednesday, 25 November" (with the year when it is not this year). */
export function formatDay(ymdText, { withYear } = {}) {
  const lang = currentLanguage();
  const year = withYear ?? ymdText.slice(0, 4) !== todayMoscow().slice(0, 4);
  if (intlWorks(lang)) {
    const options = { timeZone: TZ, weekday: "long", day: "numeric", month: "long" };
    if (year) options.year = "numeric";
    return new Intl.DateTimeFormat(lang, options).format(dateOf(ymdText));
  }
  return year ? t("date_weekday_year", names(ymdText)) : t("date_weekday", names(ymdText));
}

/** "25 November 2026". */
export function formatDate(ymdText) {
  const lang = currentLanguage();
  if (intlWorks(lang)) {
    return new Intl.DateTimeFormat(lang, { timeZone: TZ, day: "numeric", month: "long", year: "numeric" })
      .format(dateOf(ymdText));
  }
  return t("date_full", names(ymdText));
}

/** "1–30 November 2026": the heading of a month in the calendar. */
export function formatMonthRange(firstYmd, lastYmd) {
  const lang = currentLanguage();
  if (intlWorks(lang)) {
    const format = new Intl.DateTimeFormat(lang, { timeZone: TZ, day: "numeric", month: "long", year: "numeric" });
    if (format.formatRange) return format.formatRange(dateOf(firstYmd), dateOf(lastYmd));
  }
  const first = names(firstYmd);
  return t("date_month_range", { from: first.day, to: Number(lastYmd.slice(8)), month: first.month, year: first.year });
}

export function formatTime(instant) {
  const p = moscowParts(instant);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** "Wednesday, 25 November, 14:05" in Moscow time. */
export function formatDateTime(instant) {
  const p = moscowParts(instant);
  return t("datetime", { date: formatDay(p.ymd), time: formatTime(instant) });
}

/**
 * The deadline from `monitoring.deregistration_at`. The person must act before that instant.
 * When it is 00:00 Moscow on day D, the last day to act is D−1.
 */
export function deadline(deregistrationAt) {
  const at = new Date(deregistrationAt);
  const p = moscowParts(at);
  const overdue = at.getTime() <= Date.now();
  if (p.hour === 0 && p.minute === 0) {
    const lastYmd = addDays(p.ymd, -1);
    return { midnight: true, overdue, lastDay: formatDay(lastYmd), deregDay: formatDay(p.ymd), lastYmd };
  }
  return { midnight: false, overdue, when: formatDateTime(at), lastYmd: p.ymd };
}
