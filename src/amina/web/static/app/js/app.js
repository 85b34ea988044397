// Actions shared by several screens: load /me, report the location, decide the next step.
import { ApiError, get } from "./api.js";
import { GeoError, currentPosition, heartbeatReport, positionReport } from "./geo.js";
import { enqueue, flush } from "./queue.js";
import { emit, setMe, state } from "./state.js";
import { kvGet, kvSet } from "./store.js";

export const go = (name) => {
  const hash = `#/${name}`;
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
};

/** GET /me; offline, the last copy stays. */
export async function refreshMe() {
  try {
    const me = await get("/api/v1/me");
    await setMe(me);
    return me;
  } catch (error) {
    if (error instanceof ApiError && (error.code === "offline" || error.code === "timeout") && state.me) {
      return state.me;
    }
    throw error;
  }
}

export async function loadConfig() {
  try {
    state.config = await get("/api/v1/config", { auth: false });
    kvSet("config", state.config).catch(() => {});
  } catch {
    state.config = (await kvGet("config")) || null;
  }
  return state.config;
}

export const isRegistered = (me) => Boolean(me && me.registration && me.registration.status === "active");
export const needsNothing = (me) =>
  Boolean(me && ["exempt", "not_applicable"].includes(me.eligibility && me.eligibility.status));

/** Where to go after signing in (or opening the app): the first thing still to do. */
export function nextStep(me) {
  if (!me) return "home";
  if (!isRegistered(me)) return needsNothing(me) || me.registration ? "home" : "consent";
  if (!me.residence) return "residence";
  return "home";
}

function applyMonitoring(monitoring) {
  if (!monitoring || !state.me) return;
  setMe({ ...state.me, monitoring: { ...state.me.monitoring, ...monitoring } });
}

/**
 * Takes the location now (a heartbeat if it cannot), queues the report, and tries to send it.
 * Returns {report, geoError, outcome: "sent"|"queued"|"rejected", rejection, error}.
 */
export async function reportNow() {
  let report;
  let geoError = null;
  try {
    report = positionReport(await currentPosition());
  } catch (error) {
    if (!(error instanceof GeoError)) throw error;
    geoError = error;
    report = heartbeatReport();
  }
  await enqueue(report);
  const summary = await flush();
  applyMonitoring(summary.monitoring);
  const rejection = summary.rejected.find((r) => r.id === report.id) || null;
  let outcome = "queued";
  if (summary.accepted.includes(report.id) || summary.duplicates.includes(report.id)) outcome = "sent";
  else if (rejection) outcome = "rejected";
  const result = { report, geoError, outcome, rejection, error: summary.error, at: Date.now() };
  state.lastReport = result;
  kvSet("last_report_at", Date.now()).catch(() => {});
  emit("reported", result);
  return result;
}

/** The periodic report while the app is open (also on opening it): quiet, never a prompt loop. */
export async function autoReport({ minSpacingMs = 60_000 } = {}) {
  if (!state.session || !isRegistered(state.me) || document.visibilityState !== "visible") return null;
  const last = (await kvGet("last_report_at")) || 0;
  if (Date.now() - last < minSpacingMs) return null;
  return reportNow();
}
