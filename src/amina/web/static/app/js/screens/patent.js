// The work patent (rules.md §7): its status in words, the Pay flow (months → amount, the
// ГОСТ Р 56042-2014 QR and the details to copy), a printable payment form, and the payments.
import { get } from "../api.js";
import { append, h, svgImage } from "../dom.js";
import { errorText } from "../errors.js";
import { N_, t } from "../i18n.js";
import { formatDate, moscowParts } from "../time.js";
import { busy, errorBox, loading, title } from "../ui.js";

const FIELDS = {
  Name: N_("patent_field_Name"),
  PersonalAcc: N_("patent_field_PersonalAcc"),
  BankName: N_("patent_field_BankName"),
  BIC: N_("patent_field_BIC"),
  CorrespAcc: N_("patent_field_CorrespAcc"),
  PayeeINN: N_("patent_field_PayeeINN"),
  KPP: N_("patent_field_KPP"),
  CBC: N_("patent_field_CBC"),
  OKTMO: N_("patent_field_OKTMO"),
};
const FLAGS = {
  unknown_patent: N_("patent_flag_unknown_patent"),
  no_rate: N_("patent_flag_no_rate"),
  zero_months: N_("patent_flag_zero_months"),
  remainder: N_("patent_flag_remainder"),
  after_lapse: N_("patent_flag_after_lapse"),
  beyond_term: N_("patent_flag_beyond_term"),
};

const card = (variant, ...children) => h("div", { class: `card ${variant}` }, ...children);
const rubles = (amount) => new Intl.NumberFormat("ru-RU").format(amount);
const kopecks = (amount) => new Intl.NumberFormat("ru-RU", { minimumFractionDigits: 2 }).format(amount / 100);

function statusCard(patent) {
  const number = h("p", { class: "mono", text: t("patent_number", { series: patent.series, number: patent.number }) });
  const paid = h("p", { class: "small", text: t("patent_months_paid", { months: patent.months_paid }) });
  if (patent.status !== "valid") {
    return card("bad", h("p", { class: "status-title", "data-testid": "patent-status", text: t("patent_lapsed", { date: formatDate(patent.valid_through) }) }), number, paid);
  }
  const text = patent.days_left <= 1
    ? t("patent_valid_last_day", { date: formatDate(patent.valid_through) })
    : t("patent_valid", { date: formatDate(patent.valid_through), days: patent.days_left });
  return card(patent.days_left <= 7 ? "warn" : "ok",
    h("p", { class: "status-title", "data-testid": "patent-status", text }), number, paid);
}

async function copy(button, value) {
  try {
    await navigator.clipboard.writeText(value);
    button.textContent = t("patent_copied");
  } catch {
    button.textContent = value;
  }
}

function detailRow(label, value) {
  const known = Boolean(value);
  const shown = h("span", { class: known ? "mono" : "muted", text: known ? value : t("patent_unknown") });
  const row = h("div", { class: "detail" }, h("dt", { text: label }), h("dd", null, shown));
  if (known) {
    const button = h("button", { type: "button", class: "btn secondary small no-print", text: t("patent_copy") });
    button.addEventListener("click", () => copy(button, value));
    row.lastChild.append(" ", button);
  }
  return row;
}

function paymentView(patent, block) {
  const details = block.details.map((d) => detailRow(t(FIELDS[d.field] || "patent_field_Name"), d.value));
  details.push(detailRow(t("patent_field_Purpose"), block.purpose));
  details.push(detailRow(t("patent_field_Sum"), `${kopecks(block.amount_kopecks)} ₽`));
  const qr = block.qr_svg
    ? h("div", null, svgImage(block.qr_svg, t("patent_qr_alt")), h("p", { class: "small", text: t("patent_qr_hint") }))
    : card("warn", h("p", { text: t("patent_no_qr") }));
  const print = h("button", { type: "button", class: "btn no-print", text: t("patent_print") });
  print.addEventListener("click", () => window.print());
  return h("section", { class: "card receipt", "data-testid": "patent-payment" },
    h("h2", { text: t("patent_receipt_title") }),
    h("p", { class: "big", "data-testid": "patent-amount", text: t("patent_amount", { amount: rubles(block.amount_rub), months: block.months, monthly: rubles(block.monthly_amount_rub) }) }),
    h("p", { text: t("patent_payer", { inn: patent.inn }) }),
    qr,
    h("dl", { class: "details" }, details),
    block.unknown_fields.length ? h("p", { class: "small", text: t("patent_unknown_note") }) : null,
    h("p", { class: "small muted", text: t("patent_source", { date: formatDate(block.as_of), source: block.source }) }),
    print,
  );
}

function payForm(patent) {
  const area = h("div");
  if (patent.status !== "valid") return area;
  if (patent.months_payable < 1) return append(area, card("info", h("p", { text: t("patent_full_term") })));
  const errors = errorBox();
  const select = h("select", { id: "patent-months", name: "months" },
    Array.from({ length: patent.months_payable }, (_, i) => h("option", { value: String(i + 1), text: String(i + 1) })));
  const show = h("button", { type: "button", class: "btn", "data-testid": "patent-show-payment", text: t("patent_show_payment") });
  const result = h("div");
  show.addEventListener("click", () => busy(show, async () => {
    const data = await get(`/api/v1/me/patent?months=${encodeURIComponent(select.value)}`);
    result.replaceChildren(paymentView(data, data.payment));
  }, errors));
  return append(area, h("section", { class: "card no-print" },
    h("h2", { text: t("patent_pay_title") }),
    h("label", { for: "patent-months", text: t("patent_months_label") }), select, errors, show,
  ), result);
}

function history(patent) {
  const items = patent.payments.map((p) => h("li", null,
    t("patent_payment_row", { date: formatDate(moscowParts(p.paid_at).ymd), amount: kopecks(p.amount_kopecks), months: p.months_credited }),
    p.flags.length ? h("span", { class: "small muted", text: ` ${t("patent_payment_flagged", { flags: p.flags.map((f) => t(FLAGS[f] || "patent_flag_unknown_patent")).join(", ") })}` }) : null,
  ));
  return h("section", { class: "card no-print", "data-testid": "patent-history" },
    h("h2", { text: t("patent_history") }),
    items.length ? h("ul", null, items) : h("p", { class: "muted", text: t("patent_no_payments") }));
}

export function render(root) {
  const body = h("div", null, loading());
  append(root, title(t("patent_title")), body);
  get("/api/v1/me/patent")
    .then((patent) => body.replaceChildren(statusCard(patent), payForm(patent), history(patent)))
    .catch((error) => {
      const text = error.code === "patent_not_found" ? t("patent_none") : errorText(error);
      body.replaceChildren(card("info", h("p", { text })));
    });
}
