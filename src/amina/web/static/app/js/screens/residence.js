// Screen 6: declare or change where the person actually lives.
import { get, put } from "../api.js";
import { refreshMe } from "../app.js";
import { append, h, nextId } from "../dom.js";
import { N_, t } from "../i18n.js";
import { state } from "../state.js";
import { formatDate, formatDateTime, todayMoscow } from "../time.js";
import { busy, choice, errorBox, title } from "../ui.js";

export const ACCOMMODATIONS = {
  private: N_("acc_private"),
  hotel: N_("acc_hotel"),
  sanatorium: N_("acc_sanatorium"),
  rest_home: N_("acc_rest_home"),
  boarding_house: N_("acc_boarding_house"),
  tourist_base: N_("acc_tourist_base"),
  campsite: N_("acc_campsite"),
  medical: N_("acc_medical"),
  social_care: N_("acc_social_care"),
  penal: N_("acc_penal"),
};

export function residenceText(residence) {
  if (!residence) return t("residence_none");
  const kind = t(ACCOMMODATIONS[residence.accommodation] || "acc_private");
  return residence.accommodation === "private" && residence.address ? residence.address : kind;
}

function currentCard(residence) {
  if (!residence) return null;
  return h("div", { class: "card" },
    h("h2", { text: t("residence_current") }),
    h("dl", { class: "facts" },
      h("dt", { text: t("residence_type") }), h("dd", { text: t(ACCOMMODATIONS[residence.accommodation]) }),
      residence.address ? [h("dt", { text: t("address") }), h("dd", { text: residence.address })] : null,
      h("dt", { text: t("moved_in_on") }), h("dd", { text: formatDate(residence.moved_in_on) }),
      h("dt", { text: t("reported_at") }), h("dd", { text: formatDateTime(residence.reported_at) }),
    ),
    residence.reported_late ? h("p", { class: "small", text: t("residence_late_flag") }) : null,
  );
}

function history(container) {
  get("/api/v1/me/residence/history").then((data) => {
    const items = (data && data.items) || [];
    if (items.length < 2) return;
    container.append(
      h("details", { class: "card" },
        h("summary", { class: "link", text: t("residence_history") }),
        h("ul", { class: "plain" }, items.map((item) =>
          h("li", { class: "small" }, `${formatDate(item.moved_in_on)} — ${residenceText(item)}`),
        )),
      ),
    );
  }).catch(() => {});
}

export function render(root) {
  const existing = state.me && state.me.residence;
  const errors = errorBox();
  const result = h("div", { role: "status" });
  const form = h("form", { novalidate: true });

  const radios = Object.entries(ACCOMMODATIONS).map(([value, key]) =>
    choice("radio", "accommodation", value, t(key), { checked: (existing ? existing.accommodation : "private") === value }));
  const addressId = nextId("addr");
  const address = h("textarea", {
    id: addressId, name: "address", rows: "3", autocomplete: "street-address", "aria-describedby": `${addressId}-h`,
  });
  if (existing && existing.address) address.value = existing.address;
  const addressField = h("div", { class: "field" },
    h("label", { for: addressId, text: t("address") }),
    h("span", { class: "hint", id: `${addressId}-h`, text: t("address_hint") }),
    address,
  );
  const institutionNote = h("p", { class: "card info", text: t("residence_institution_note") });
  const dateId = nextId("moved");
  const moved = h("input", { id: dateId, type: "date", name: "moved_in_on", max: todayMoscow(), value: todayMoscow() });
  if (existing) moved.value = existing.moved_in_on;

  const kind = () => (radios.find((r) => r.input.checked) || radios[0]).input.value;
  const sync = () => {
    const isPrivate = kind() === "private";
    addressField.hidden = !isPrivate;
    institutionNote.hidden = isPrivate;
  };
  radios.forEach((r) => r.input.addEventListener("change", sync));
  sync();

  const submit = h("button", { type: "submit", class: "btn", text: t("residence_save") });
  form.append(
    h("fieldset", null, h("legend", { text: t("residence_type") }), radios.map((r) => r.row)),
    addressField,
    institutionNote,
    h("div", { class: "field" },
      h("label", { for: dateId, text: t("moved_in_on") }),
      h("span", { class: "hint", text: t("moved_in_on_hint") }),
      moved,
    ),
    errors,
    submit,
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(submit, async () => {
      const accommodation = kind();
      const text = address.value.trim();
      address.setAttribute("aria-invalid", "false");
      if (accommodation === "private" && text.length < 5) {
        address.setAttribute("aria-invalid", "true");
        address.focus();
        errors.show(t("err_address_required"));
        return;
      }
      if (!/^\d{4}-\d{2}-\d{2}$/.test(moved.value) || moved.value > todayMoscow()) {
        errors.show(t("err_invalid_moved_in_on"));
        return;
      }
      const saved = await put("/api/v1/me/residence", {
        address: accommodation === "private" ? text : null,
        accommodation,
        moved_in_on: moved.value,
      });
      await refreshMe().catch(() => {});
      result.replaceChildren(
        h("div", { class: saved.reported_late ? "card warn" : "card ok" },
          h("p", { class: "status-title", text: t("residence_saved") }),
          saved.reported_late ? h("p", { text: t("residence_reported_late") }) : null,
          h("a", { class: "btn", href: "#/home", text: t("go_home") }),
        ),
      );
      form.hidden = true;
      result.querySelector("a").focus();
    }, errors);
  });

  const historyBox = h("div");
  append(root, 
    title(existing ? t("residence_change_title") : t("residence_title")),
    h("p", { text: t("residence_intro") }),
    h("p", { class: "note", text: t("residence_rule") }),
    currentCard(existing),
    result,
    form,
    historyBox,
  );
  if (existing) history(historyBox);
}
