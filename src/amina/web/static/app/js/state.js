// Shared app state and a small event bus. Persistent parts live in IndexedDB (store.js).
import { kvDel, kvGet, kvSet } from "./store.js";

export const state = {
  config: null, // GET /api/v1/config
  session: null, // {access_token, refresh_token, expires_at, person_id, device_id}
  me: null, // GET /api/v1/me (last known, also kept for offline starts)
  challenge: null, // {request, challenge_id, phone_hint, expires_at, sent_at}
  queueCount: 0,
  online: navigator.onLine,
  lastReport: null, // {at, outcome} of the last report this app sent
};

const listeners = new Map();

export function on(event, fn) {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event).add(fn);
  return () => listeners.get(event).delete(fn);
}

export function emit(event, detail) {
  for (const fn of listeners.get(event) || []) {
    try {
      fn(detail);
    } catch (error) {
      console.error(error);
    }
  }
}

export async function loadSession() {
  state.session = (await kvGet("session")) || null;
  state.me = state.session ? (await kvGet("me")) || null : null;
  return state.session;
}

export async function saveSession(session) {
  state.session = session;
  await kvSet("session", session);
}

export async function setMe(me) {
  state.me = me;
  await kvSet("me", me);
  emit("me", me);
}

/** Forgets who is signed in. Queued reports stay: they are the person's evidence. */
export async function clearSession() {
  state.session = null;
  state.me = null;
  await kvDel("session");
  await kvDel("me");
  await kvDel("bookings"); // the saved appointment tickets
  emit("signed-out");
}
