// Appointments at the MMC: my tickets (kept on the phone, so they show offline too), and the
// booking flow: a service and its documents → a day → a time. Cancel and move from the ticket.
import { api, get, post } from "../api.js";
import { append, clear, h, svgImage } from "../dom.js";
import { errorText } from "../errors.js";
import { N_, currentLanguage, t } from "../i18n.js";
import { kvGet, kvSet } from "../store.js";
import { formatDay, formatDateTime, formatTime } from "../time.js";
import { busy, errorBox, loading, title } from "../ui.js";

const SAVED = "bookings";
const STATUS = {
  booked: N_("booking_status_booked"),
  cancelled: N_("booking_status_cancelled"),
  arrived: N_("booking_status_arrived"),
  no_show: N_("booking_status_no_show"),
  closed: N_("booking_status_closed"),
};
const ERRORS = {
  slot_full: N_("booking_err_slot_full"),
  slot_closed: N_("booking_err_slot_closed"),
  slot_in_past: N_("booking_err_slot_in_past"),
  already_booked: N_("booking_err_already_booked"),
  too_many_bookings: N_("booking_err_too_many"),
  booking_not_cancellable: N_("booking_err_not_cancellable"),
};
/** Replaces an element's children; arrays are flattened and nulls skipped, as in append(). */
const fill = (el, ...children) => append(clear(el), ...children);
const problem = (error) => (error && ERRORS[error.code] ? t(ERRORS[error.code]) : errorText(error));

/** The bookings from the server, saved for offline use; the saved copy when offline. */
async function loadBookings() {
  try {
    const { items } = await get("/api/v1/me/bookings");
    await kvSet(SAVED, { items, saved_at: Date.now() }).catch(() => {});
    return { items, offline: false };
  } catch (error) {
    const saved = await kvGet(SAVED).catch(() => null);
    if (saved && (error.code === "offline" || error.code === "timeout" || !navigator.onLine)) {
      return { items: saved.items, offline: true };
    }
    throw error;
  }
}

function ticket(booking, { onCancel, onMove, offline }) {
  const errors = errorBox();
  const cancel = h("button", { type: "button", class: "btn secondary", "data-testid": "booking-cancel", text: t("booking_cancel") });
  const move = h("button", { type: "button", class: "btn secondary", "data-testid": "booking-move", text: t("booking_move") });
  cancel.addEventListener("click", () => {
    if (!window.confirm(t("booking_cancel_confirm"))) return;
    busy(cancel, () => onCancel(booking), { show: (e) => errors.show(problem(e)), clear: errors.clear });
  });
  move.addEventListener("click", () => onMove(booking));
  return h("div", { class: "card ok", "data-testid": "booking-ticket" },
    h("p", { class: "small muted", text: t("booking_ticket") }),
    h("p", { class: "status-title", text: booking.service_name }),
    h("p", { class: "big", "data-testid": "booking-when", text: formatDateTime(booking.slot_start) }),
    booking.qr_svg ? svgImage(booking.qr_svg, t("booking_ticket_qr_alt")) : null,
    h("p", { class: "small", text: t("booking_ticket_how") }),
    errors,
    offline ? null : [move, cancel],
  );
}

function pastList(items) {
  if (!items.length) return null;
  return [
    h("h2", { text: t("booking_past") }),
    h("ul", { class: "plain" }, items.map((b) => h("li", { class: "small", "data-testid": "booking-past" },
      `${formatDateTime(b.slot_start)} · ${b.service_name} · `, h("strong", { text: t(STATUS[b.status] || "booking_status_booked") }),
    ))),
  ];
}

/** The flow: service (with its documents) → day → time. `moving` fixes the service. */
function flow(container, { moving, onDone }) {
  const errors = errorBox();
  const step = h("div");
  append(container, moving ? h("p", { class: "status-title", text: t("booking_moving", { service: moving.service_name }) }) : null, errors, step);

  const chooseTime = async (service, day) => {
    fill(step,
      h("h2", { text: t("booking_choose_time") }),
      h("p", { class: "small muted", text: formatDay(day.date) }),
      h("div", { class: "slots" }, day.slots.map((slot) => {
        const full = slot.free < 1;
        const button = h("button", {
          type: "button", class: "btn secondary slot", disabled: full, "data-testid": "booking-slot",
        }, h("strong", { text: formatTime(slot.start) }), " ", h("span", { class: "small", text: full ? t("booking_full") : t("booking_free", { count: slot.free }) }));
        button.addEventListener("click", () => busy(button, async () => {
          const body = { slot_start: slot.start };
          const made = moving
            ? await post(`/api/v1/me/bookings/${moving.id}/move`, body)
            : await post("/api/v1/me/bookings", { service: service.code, ...body });
          onDone(made);
        }, { show: (e) => errors.show(problem(e)), clear: errors.clear }));
        return button;
      })),
      h("button", { type: "button", class: "link", text: t("booking_back"), onclick: () => chooseDay(service) }),
    );
  };

  const chooseDay = async (service) => {
    fill(step, loading());
    try {
      const { days } = await get(`/api/v1/bookings/slots?service=${encodeURIComponent(service.code)}`);
      const open = days.filter((d) => d.slots.some((s) => s.free > 0));
      fill(step,
        h("h2", { text: t("booking_choose_day") }),
        open.length ? null : h("p", { text: t("booking_no_days") }),
        h("div", { class: "days" }, open.map((day) => h("button", {
          type: "button", class: "btn secondary", "data-testid": "booking-day", text: formatDay(day.date),
          onclick: () => chooseTime(service, day),
        }))),
        moving ? null : h("button", { type: "button", class: "link", text: t("booking_back"), onclick: chooseService }),
      );
    } catch (error) {
      fill(step);
      errors.show(problem(error));
    }
  };

  const chooseService = async () => {
    fill(step, loading());
    try {
      const { items } = await get(`/api/v1/bookings/services?lang=${encodeURIComponent(currentLanguage())}`);
      fill(step,
        h("h2", { text: t("booking_choose_service") }),
        items.map((service) => h("div", { class: "card", "data-testid": "booking-service", "data-service": service.code },
          h("p", { class: "status-title", text: service.name }),
          h("p", { class: "small muted", text: t("booking_minutes", { minutes: service.duration_minutes }) }),
          h("p", { class: "small", text: t("booking_documents") }),
          h("ul", { class: "small" }, service.documents.map((doc) => h("li", { text: doc }))),
          h("button", { type: "button", class: "btn", "data-testid": "booking-choose", text: t("booking_choose"), onclick: () => chooseDay(service) }),
        )),
      );
    } catch (error) {
      fill(step);
      errors.show(problem(error));
    }
  };

  if (moving) chooseDay({ code: moving.service });
  else chooseService();
}

export function render(root) {
  const notice = h("p", { class: "notice", role: "status" });
  const body = h("div", null, loading());
  const newButton = h("button", { type: "button", class: "btn", "data-testid": "booking-new", text: t("booking_new") });
  const flowArea = h("div");
  append(root, title(t("booking_title")), h("p", { class: "small", text: t("booking_intro") }), notice, body, newButton, flowArea);

  const startFlow = (moving) => {
    newButton.hidden = true;
    fill(flowArea);
    flow(flowArea, {
      moving,
      onDone: (made) => {
        notice.textContent = t("booking_booked", { when: formatDateTime(made.slot_start) });
        fill(flowArea);
        newButton.hidden = false;
        draw();
      },
    });
    flowArea.scrollIntoView({ block: "start" });
  };

  const onCancel = async (booking) => {
    await api("DELETE", `/api/v1/me/bookings/${booking.id}`);
    notice.textContent = t("booking_cancelled_done");
    await draw();
  };

  async function draw() {
    try {
      const { items, offline } = await loadBookings();
      const active = items.filter((b) => b.status === "booked");
      const past = items.filter((b) => b.status !== "booked");
      fill(body,
        offline ? h("p", { class: "card info small", "data-testid": "booking-offline", text: t("booking_offline_copy") }) : null,
        h("h2", { text: t("booking_mine") }),
        active.length ? active.map((b) => ticket(b, { onCancel, onMove: startFlow, offline })) : h("p", { class: "muted", text: t("booking_none") }),
        pastList(past),
      );
      newButton.hidden = offline;
    } catch (error) {
      fill(body, h("p", { class: "error", role: "alert", text: problem(error) }));
    }
  }

  newButton.addEventListener("click", () => startFlow(null));
  draw();
}
