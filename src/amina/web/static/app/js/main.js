// Boot, routing, the tab bar and the banners. Screens live in ./screens/.
import { autoReport, go, isRegistered, loadConfig, nextStep, refreshMe } from "./app.js";
import { clear, h, icon } from "./dom.js";
import { N_, chosenLanguage, currentLanguage, detectLanguage, setLanguage, t } from "./i18n.js";
import { flush, refreshCount } from "./queue.js";
import { loadSession, on, state } from "./state.js";
import * as bookings from "./screens/bookings.js";
import * as code from "./screens/code.js";
import * as consent from "./screens/consent.js";
import * as home from "./screens/home.js";
import * as language from "./screens/language.js";
import * as mydata from "./screens/mydata.js";
import * as notifications from "./screens/notifications.js";
import * as patent from "./screens/patent.js";
import * as proof from "./screens/proof.js";
import * as register from "./screens/register.js";
import * as residence from "./screens/residence.js";
import * as settings from "./screens/settings.js";
import * as signin from "./screens/signin.js";
import * as tracking from "./screens/tracking.js";

const PUBLIC = {
  language: language.render,
  signin: signin.render,
  "signin/passport": (root, ctx) => signin.render(root, { ...ctx, params: { mode: "passport" } }),
  code: code.render,
};
const PRIVATE = {
  home: home.render,
  consent: consent.render,
  register: register.render,
  residence: residence.render,
  notifications: notifications.render,
  data: mydata.render,
  proof: proof.render,
  patent: patent.render,
  tracking: tracking.render,
  settings: settings.render,
  more: settings.renderMore,
  bookings: bookings.render,
};
const TABS = [
  { route: "home", label: N_("tab_home"), paths: ["M3 11l9-8 9 8", "M5 10v10h5v-6h4v6h5V10"] },
  { route: "notifications", label: N_("tab_messages"), paths: ["M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9", "M10 21h4"] },
  { route: "proof", label: N_("tab_proof"), paths: ["M3 3h7v7H3z", "M14 3h7v7h-7z", "M3 14h7v7H3z", "M14 14h3v3h-3zM18 18h3v3h-3z"] },
  { route: "more", label: N_("tab_more"), paths: ["M4 6h16", "M4 12h16", "M4 18h16"] },
];
const MORE_ROUTES = new Set(["more", "residence", "data", "tracking", "settings"]);

const main = document.getElementById("main");
const tabs = document.getElementById("tabs");
const banners = document.getElementById("banners");
const net = document.getElementById("net");
let cleanups = [];
let unread = 0;
let updateReady = false;

const routeName = () => location.hash.replace(/^#\/?/, "");

async function defaultRoute() {
  if (state.session) return "home";
  return chosenLanguage() ? "signin" : "language";
}

async function afterSignIn() {
  const me = await refreshMe();
  if (me.language !== currentLanguage()) {
    language.saveLanguagePreference(currentLanguage()).catch(() => {});
  }
  flush().catch(() => {});
  refreshUnread();
  go(nextStep(me));
}

async function render(focusSelector) {
  let name = routeName();
  if (!name) name = await defaultRoute();
  if (!state.session && PRIVATE[name]) name = "signin";
  if (state.session && PUBLIC[name] && name !== "language") name = "home";
  if (routeName() !== name) {
    history.replaceState(null, "", `#/${name}`);
  }
  for (const fn of cleanups) fn();
  cleanups = [];
  clear(main);
  const screen = PRIVATE[name] || PUBLIC[name];
  screen(main, {
    go,
    afterSignIn,
    params: {},
    rerender: (selector) => render(selector),
    onCleanup: (fn) => cleanups.push(fn),
  });
  drawTabs(name);
  drawBanners();
  const target = (focusSelector && main.querySelector(focusSelector)) || main.querySelector("h1");
  if (target && document.activeElement !== target) target.focus({ preventScroll: !focusSelector });
  if (!focusSelector) window.scrollTo(0, 0);
}

function drawTabs(name) {
  tabs.hidden = !state.session || !state.me || ["consent", "register"].includes(name);
  if (tabs.hidden) return;
  tabs.setAttribute("aria-label", t("tabs_label"));
  tabs.replaceChildren(...TABS.map((tab) => {
    const current = tab.route === name || (tab.route === "more" && MORE_ROUTES.has(name));
    return h("a", { href: `#/${tab.route}`, "aria-current": current ? "page" : null },
      icon(tab.paths),
      h("span", { text: t(tab.label) }),
      tab.route === "notifications" && unread ? h("span", { class: "badge", "aria-label": t("unread_count", { count: unread }), text: String(unread) }) : null,
    );
  }));
}

function drawBanners() {
  const items = [];
  if (updateReady) {
    items.push(h("div", { class: "banner", role: "status" },
      h("span", { text: t("update_ready") }),
      h("button", { type: "button", class: "btn secondary", text: t("update_reload"), onclick: () => location.reload() }),
    ));
  }
  if (state.session && state.queueCount > 0) {
    const send = h("button", { type: "button", class: "btn secondary", text: t("queue_send_now") });
    send.addEventListener("click", () => flush().catch(() => {}));
    items.push(h("div", { class: "banner warn", role: "status", "data-testid": "queue-banner" },
      h("span", {
        text: state.online
          ? t("queue_waiting", { count: state.queueCount })
          : t("queue_waiting_offline", { count: state.queueCount }),
      }),
      state.online ? send : null,
    ));
  }
  banners.replaceChildren(...items);
  net.hidden = state.online;
  net.textContent = state.online ? "" : t("offline");
}

async function refreshUnread() {
  if (!state.session) return;
  try {
    unread = await notifications.unreadCount();
  } catch {
    return;
  }
  drawTabs(routeName());
}

function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Once the worker controls the page, fetch the catalog through it so an offline start has it.
    fetch(`/app/i18n/${currentLanguage()}.json`).catch(() => {});
    if (!hadController) return; // the first install: nothing to refresh
    updateReady = true;
    drawBanners();
  });
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
}

function startTimers() {
  const intervalMs = Math.max(60, (state.config && state.config.report_interval_s) || 900) * 1000;
  setInterval(() => autoReport({ minSpacingMs: intervalMs - 5_000 }).catch(() => {}), intervalMs);
  // Queued reports are retried every minute, and at once when the network comes back.
  setInterval(() => {
    if (state.queueCount > 0 && state.session) flush().catch(() => {});
  }, 60_000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible" || !state.session) return;
    autoReport({ minSpacingMs: intervalMs }).catch(() => {});
    refreshUnread();
  });
}

function wireEvents() {
  window.addEventListener("hashchange", () => render());
  const setOnline = (online) => {
    state.online = online;
    drawBanners();
    if (online && state.session) {
      flush().catch(() => {});
      language.syncLanguagePreference().catch(() => {});
    }
  };
  window.addEventListener("online", () => setOnline(true));
  window.addEventListener("offline", () => setOnline(false));
  on("queue", drawBanners);
  on("notifications-read", () => {
    unread = Math.max(0, unread - 1);
    drawTabs(routeName());
  });
  on("me", () => drawTabs(routeName()));
  on("signed-out", () => go("signin"));
}

async function boot() {
  const configured = loadConfig(); // in parallel: the first screen does not need it
  await Promise.all([loadSession(), setLanguage(chosenLanguage() || detectLanguage())]);
  wireEvents();
  await refreshCount();
  await render();
  performance.mark("amina-first-screen");
  registerServiceWorker(); // after the first screen: installing it fetches the shell again
  await configured;
  startTimers();
  if (!state.session) return;
  try {
    const me = await refreshMe();
    drawTabs(routeName());
    if (isRegistered(me)) await autoReport(); // opening Amina is itself a check-in
  } catch {
    // offline or signed out: the screens say so
  }
  flush().catch(() => {});
  language.syncLanguagePreference().catch(() => {});
  refreshUnread();
}

boot().catch((error) => {
  console.error(error);
  main.replaceChildren(h("p", { class: "error", role: "alert", text: "Amina: error / ошибка. " + String(error.message || error) }));
});
