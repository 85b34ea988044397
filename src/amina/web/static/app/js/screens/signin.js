// Screen 2: sign in with the card (or, if it is lost, the passport) and the date of birth.
import { post } from "../api.js";
import { append, h, nextId } from "../dom.js";
import { N_, t } from "../i18n.js";
import { state } from "../state.js";
import { kvSet } from "../store.js";
import { busy, errorBox, field, title } from "../ui.js";

export const COUNTRIES = {
  UZ: N_("country_UZ"), TJ: N_("country_TJ"), KG: N_("country_KG"), AM: N_("country_AM"),
  KZ: N_("country_KZ"), GE: N_("country_GE"), AZ: N_("country_AZ"), MD: N_("country_MD"),
  UA: N_("country_UA"),
};

const clean = (value) => value.replace(/[\s\-./]/g, "").toUpperCase();

function luhnOk(number) {
  let total = 0;
  [...number].reverse().forEach((char, index) => {
    let digit = Number(char);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    total += digit;
  });
  return total % 10 === 0;
}

/** Card numbers Amina issues are 12 digits starting 77 with a check digit: catch typos here. */
export function cardNumberProblem(number) {
  if (!/^[A-Z0-9]{6,20}$/.test(number)) return N_("err_invalid_card_number");
  if (/^77\d{10}$/.test(number) && !luhnOk(number)) return N_("err_card_check_digit");
  return null;
}

/** Day, month and year as numbers, the way they are printed on the card and the passport. */
function birthDateFields() {
  const id = nextId("dob");
  const part = (suffix, max, autocomplete) =>
    h("input", {
      id: `${id}-${suffix}`, type: "text", inputmode: "numeric", maxlength: String(max),
      pattern: "[0-9]*", autocomplete, name: `dob-${suffix}`, class: "num",
    });
  const day = part("d", 2, "bday-day");
  const month = part("m", 2, "bday-month");
  const year = part("y", 4, "bday-year");
  // Move on by itself once a part is complete.
  for (const [from, to] of [[day, month], [month, year]]) {
    from.addEventListener("input", () => {
      if (from.value.length === Number(from.maxLength)) to.focus();
    });
  }
  const fieldset = h("fieldset", null,
    h("legend", { text: t("birth_date") }),
    h("span", { class: "hint", text: t("birth_date_hint") }),
    h("div", { class: "dob" },
      h("div", null, h("label", { for: day.id, text: t("day") }), day),
      h("div", null, h("label", { for: month.id, text: t("month") }), month),
      h("div", null, h("label", { for: year.id, text: t("year") }), year),
    ),
  );
  const value = () => {
    const d = Number(day.value), m = Number(month.value), y = Number(year.value);
    const date = new Date(Date.UTC(y, m - 1, d));
    const valid = y >= 1900 && date.getTime() < Date.now() && date.getUTCDate() === d && date.getUTCMonth() === m - 1;
    return valid ? date.toISOString().slice(0, 10) : null;
  };
  const mark = (bad) => [day, month, year].forEach((el) => el.setAttribute("aria-invalid", String(bad)));
  return { fieldset, value, mark };
}

export async function requestCode(request) {
  const answer = await post("/api/v1/auth/challenges", request, { auth: false });
  state.challenge = { request, ...answer, sent_at: Date.now() };
  await kvSet("challenge", state.challenge);
}

export function render(root, { go, params }) {
  const passport = params.mode === "passport";
  const errors = errorBox();
  const dob = birthDateFields();
  let card, citizenship, passportNumber;
  const form = h("form", { novalidate: true });

  if (passport) {
    const id = nextId("cc");
    citizenship = h("select", { id, name: "citizenship" },
      h("option", { value: "", text: t("choose") }),
      Object.entries(COUNTRIES).map(([code, key]) => h("option", { value: code, text: t(key) })),
    );
    passportNumber = field(t("passport_number"), {
      type: "text", autocomplete: "off", autocapitalize: "characters", spellcheck: "false", name: "passport",
    }, t("passport_number_hint"));
    form.append(
      h("div", { class: "field" }, h("label", { for: id, text: t("citizenship") }), citizenship),
      passportNumber.wrapper,
    );
  } else {
    card = field(t("card_number"), {
      type: "text", autocomplete: "off", autocapitalize: "characters", spellcheck: "false", name: "card",
    }, t("card_number_hint"));
    form.append(card.wrapper);
  }
  const submit = h("button", { type: "submit", class: "btn", text: t("get_code") });
  form.append(dob.fieldset, errors, submit);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(submit, async () => {
      const birthDate = dob.value();
      let request;
      if (passport) {
        const number = clean(passportNumber.input.value);
        citizenship.setAttribute("aria-invalid", String(!citizenship.value));
        passportNumber.input.setAttribute("aria-invalid", String(!/^[A-Z0-9]{5,20}$/.test(number)));
        if (!citizenship.value) return errors.show(t("err_choose_citizenship"));
        if (!/^[A-Z0-9]{5,20}$/.test(number)) return errors.show(t("err_invalid_passport_number"));
        request = { method: "passport", citizenship: citizenship.value, passport_number: number };
      } else {
        const number = clean(card.input.value);
        const problem = cardNumberProblem(number);
        card.input.setAttribute("aria-invalid", String(Boolean(problem)));
        if (problem) return errors.show(t(problem));
        request = { method: "card", card_number: number };
      }
      dob.mark(!birthDate);
      if (!birthDate) return errors.show(t("err_birth_date"));
      request.birth_date = birthDate;
      await requestCode(request);
      go("code");
      return undefined;
    }, errors);
  });

  append(root, 
    title(passport ? t("passport_title") : t("signin_title")),
    h("p", { text: passport ? t("passport_intro") : t("signin_intro") }),
    form,
    passport
      ? h("a", { class: "link", href: "#/signin", text: t("use_card") })
      : h("a", { class: "link", href: "#/signin/passport", text: t("lost_card") }),
    h("p", { class: "muted small", text: t("signin_help") }),
  );
}
