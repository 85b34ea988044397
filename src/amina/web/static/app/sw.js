// Amina's service worker: the app shell from a versioned cache (offline start), and Web Push.
// API responses are never cached. The server prepends `const AMINA_BUILD = {version, shell}`
// (a hash of the static files, and the shell's URLs), so any change to the app changes this
// file's bytes and the browser installs the new worker.
/* global AMINA_BUILD */

const CACHE_PREFIX = "amina-shell-";
const CACHE = CACHE_PREFIX + AMINA_BUILD.version;
const NEVER = ["/api/", "/owntracks/", "/verify/", "/console", "/docs", "/openapi.json"];

async function precache() {
  const cache = await caches.open(CACHE);
  const urls = new Set(AMINA_BUILD.shell);
  // Keep the languages the person has used: an offline start after an update still speaks them.
  for (const name of await caches.keys()) {
    if (!name.startsWith(CACHE_PREFIX) || name === CACHE) continue;
    for (const request of await (await caches.open(name)).keys()) {
      const path = new URL(request.url).pathname;
      if (path.startsWith("/app/i18n/") || path.startsWith("/app/vendor/")) urls.add(path);
    }
  }
  await Promise.all([...urls].map(async (url) => {
    const response = await fetch(url, { cache: "no-cache" });
    if (response.ok) await cache.put(url, response);
    else if (AMINA_BUILD.shell.includes(url)) throw new Error(`precache ${url}: ${response.status}`);
  }));
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function fromCache(request, key) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") await cache.put(key, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (request.mode === "navigate") {
    if (url.pathname === "/" || url.pathname === "/index.html") {
      event.respondWith(fromCache(request, "/").catch(() => Response.error()));
    }
    return;
  }
  if (url.pathname.startsWith("/app/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(fromCache(request, url.pathname));
  }
});

self.addEventListener("push", (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { body: event.data ? event.data.text() : "" };
  }
  const title = typeof payload.title === "string" && payload.title ? payload.title : "Amina";
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof payload.body === "string" ? payload.body : "",
    icon: "/app/icons/icon-192.png",
    badge: "/app/icons/icon-192.png",
    data: { url: typeof payload.url === "string" ? payload.url : "/#/notifications" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  let target = new URL("/#/notifications", self.location.origin);
  try {
    const wanted = new URL(event.notification.data.url, self.location.origin);
    if (wanted.origin === self.location.origin) target = wanted; // never open other sites
  } catch {
    // keep the default
  }
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) {
      if ("focus" in client) {
        await client.focus();
        if ("navigate" in client) await client.navigate(target.href);
        return;
      }
    }
    await self.clients.openWindow(target.href);
  })());
});
