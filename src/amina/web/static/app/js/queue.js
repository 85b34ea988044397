// The offline queue. Every report is stored first (with its own id and recorded_at), then
// sent. A report leaves the queue only once the server has answered for it: accepted,
// duplicate or rejected. Resending the same id is safe: the server reports it as a duplicate.
import { ApiError, api } from "./api.js";
import { signBody } from "./keys.js";
import { emit, state } from "./state.js";
import { queueAdd, queueAll, queueCount, queueDelete } from "./store.js";

const DEFAULT_BATCH = 500;
let flushing = null;

export async function refreshCount() {
  state.queueCount = await queueCount();
  emit("queue", state.queueCount);
  return state.queueCount;
}

export async function enqueue(report) {
  const personId = state.session && state.session.person_id;
  await queueAdd({ id: report.id, person_id: personId, queued_at: Date.now(), report });
  await refreshCount();
}

async function sendBatch(items) {
  const bytes = new TextEncoder().encode(JSON.stringify({ reports: items.map((i) => i.report) }));
  const signature = await signBody(bytes);
  return api("POST", "/api/v1/me/locations", {
    rawBody: bytes,
    headers: { "Amina-Signature": signature },
  });
}

function answered(result) {
  return [
    ...(result.accepted || []),
    ...(result.duplicates || []),
    ...(result.rejected || []).map((r) => r.id),
  ];
}

// A single report the server refuses as a whole request can never be sent: drop it.
const UNSENDABLE = new Set(["invalid_request", "invalid_location", "malformed_json"]);

async function flushNow() {
  const summary = { accepted: [], duplicates: [], rejected: [], error: null, monitoring: null };
  if (!state.session) return summary;
  const personId = state.session.person_id;
  const all = (await queueAll())
    .filter((item) => item.person_id === personId)
    .sort((a, b) => a.report.recorded_at.localeCompare(b.report.recorded_at));
  let batchSize = Math.min((state.config && state.config.max_reports_per_batch) || DEFAULT_BATCH, DEFAULT_BATCH);
  let index = 0;
  while (index < all.length) {
    const batch = all.slice(index, index + batchSize);
    try {
      const result = await sendBatch(batch);
      await queueDelete(answered(result));
      summary.accepted.push(...(result.accepted || []));
      summary.duplicates.push(...(result.duplicates || []));
      summary.rejected.push(...(result.rejected || []));
      if (result.monitoring) summary.monitoring = result.monitoring;
      index += batch.length;
    } catch (error) {
      if (error instanceof ApiError && error.status === 413 && batchSize > 1) {
        batchSize = Math.max(1, Math.floor(batchSize / 2));
        continue;
      }
      if (error instanceof ApiError && error.status === 422 && UNSENDABLE.has(error.code)) {
        if (batchSize > 1) {
          batchSize = 1; // find the one report that spoils the batch
          continue;
        }
        await queueDelete([batch[0].id]);
        summary.rejected.push({ id: batch[0].id, code: error.code, message: error.message });
        index += 1;
        continue;
      }
      summary.error = error; // offline, server trouble, signed out: keep everything for later
      break;
    }
  }
  await refreshCount();
  emit("flushed", summary);
  return summary;
}

/** Sends what is queued; concurrent calls share one run. */
export function flush() {
  if (!flushing) {
    const run = navigator.locks
      ? navigator.locks.request("amina-flush", flushNow)
      : flushNow();
    flushing = run.finally(() => {
      flushing = null;
    });
  }
  return flushing;
}
