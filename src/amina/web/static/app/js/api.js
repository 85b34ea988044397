// The API client: JSON in and out, bearer tokens, one refresh on 401, errors as ApiError.
import { clearSession, saveSession, state } from "./state.js";
import { kvGet } from "./store.js";

const TIMEOUT_MS = 30_000;
// 401 codes that mean "the access token is no good": refresh and try once more.
// Others (a wrong one-time code, a bad signature) are answers, not expired sessions.
const TOKEN_CODES = new Set(["not_authenticated", "invalid_token", "token_expired", "session_revoked"]);

export class ApiError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

let refreshing = null;

async function send(method, path, { body, rawBody, headers = {}, token } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  const init = { method, headers: { Accept: "application/json", ...headers }, signal: controller.signal };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (rawBody !== undefined) {
    init.body = rawBody;
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, error.name === "AbortError" ? "timeout" : "offline", String(error));
  } finally {
    clearTimeout(timer);
  }
  return response;
}

async function parse(response) {
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.ok) return data;
  const error = (data && data.error) || {};
  const code = error.code || (response.status >= 500 ? "internal_error" : "generic");
  const { code: _c, message, ...extra } = error;
  const retryAfter = Number(response.headers.get("Retry-After"));
  if (retryAfter) extra.retry_after_s = retryAfter;
  throw new ApiError(response.status, code, message || "", extra);
}

/** Exchanges the refresh token for a new pair; one at a time across tabs. */
export function refresh() {
  if (!refreshing) {
    const work = async () => {
      const before = state.session;
      const stored = await kvGet("session");
      // Another tab may have rotated the tokens already: take its pair instead of reusing ours.
      if (stored && before && stored.refresh_token !== before.refresh_token) {
        state.session = stored;
        return stored;
      }
      const session = stored || before;
      if (!session) throw new ApiError(401, "not_authenticated", "");
      const response = await send("POST", "/api/v1/auth/refresh", {
        body: { refresh_token: session.refresh_token },
      });
      try {
        const pair = await parse(response);
        const next = { ...session, ...pair, expires_at: Date.now() + pair.expires_in * 1000 };
        await saveSession(next);
        return next;
      } catch (error) {
        if (error.status === 401 || error.status === 403) await clearSession();
        throw error;
      }
    };
    const locked = navigator.locks
      ? navigator.locks.request("amina-refresh", work)
      : work();
    refreshing = locked.finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

/**
 * Calls the API. `auth` (default true) sends the access token, refreshing it first when it is
 * about to expire, and once more after a 401.
 */
export async function api(method, path, options = {}) {
  const { auth = true } = options;
  if (!auth) return parse(await send(method, path, options));
  if (!state.session) throw new ApiError(401, "not_authenticated", "");
  if (state.session.expires_at && state.session.expires_at - Date.now() < 30_000) {
    await refresh().catch((error) => {
      if (error.status === 401 || error.status === 403) throw error;
    });
    if (!state.session) throw new ApiError(401, "not_authenticated", "");
  }
  let response = await send(method, path, { ...options, token: state.session.access_token });
  if (response.status === 401) {
    const peek = await response.clone().json().catch(() => null);
    const code = peek && peek.error && peek.error.code;
    if (!code || TOKEN_CODES.has(code)) {
      const session = await refresh();
      response = await send(method, path, { ...options, token: session.access_token });
    }
  }
  return parse(response);
}

export const get = (path, options) => api("GET", path, options);
export const post = (path, body, options = {}) => api("POST", path, { ...options, body });
export const put = (path, body, options = {}) => api("PUT", path, { ...options, body });

/** GET returning the raw Response body as a Blob (the export download). */
export async function download(path) {
  if (!state.session) throw new ApiError(401, "not_authenticated", "");
  let response = await send("GET", path, { token: state.session.access_token });
  if (response.status === 401) {
    const session = await refresh();
    response = await send("GET", path, { token: session.access_token });
  }
  if (!response.ok) await parse(response);
  return response.blob();
}
