// Web Push: subscribe with the server's VAPID key and hand the subscription to the server.
import { post } from "./api.js";
import { state } from "./state.js";
import { kvGet, kvSet } from "./store.js";

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Push can be offered: the server has a key, the browser can do it, and it is not blocked. */
export function pushPossible() {
  return Boolean(
    state.config && state.config.vapid_public_key &&
    "serviceWorker" in navigator && "PushManager" in window && "Notification" in window &&
    Notification.permission !== "denied",
  );
}

export async function pushState() {
  if (!pushPossible()) return "unavailable";
  if ((await kvGet("push_enabled")) && Notification.permission === "granted") return "enabled";
  if (await kvGet("push_dismissed")) return "dismissed";
  return "off";
}

export async function enablePush() {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw Object.assign(new Error("push denied"), { code: "push_denied" });
  const registration = await navigator.serviceWorker.ready;
  const applicationServerKey = keyBytes(state.config.vapid_public_key);
  let subscription = await registration.pushManager.getSubscription();
  if (subscription) {
    // A subscription made with another server key cannot be reused.
    const current = subscription.options && subscription.options.applicationServerKey;
    const same = current && new Uint8Array(current).join() === applicationServerKey.join();
    if (!same) {
      await subscription.unsubscribe();
      subscription = null;
    }
  }
  if (!subscription) {
    try {
      subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
    } catch {
      throw Object.assign(new Error("push failed"), { code: "push_failed" });
    }
  }
  const { endpoint, keys } = subscription.toJSON();
  await post("/api/v1/me/push-subscriptions", { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } });
  await kvSet("push_enabled", true);
}

export const dismissPush = () => kvSet("push_dismissed", true);
