// Screen 3: the one-time code from the SMS. Binds this device's public key to the session.
import { post } from "../api.js";
import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { deviceKey } from "../keys.js";
import { saveSession, state } from "../state.js";
import { kvDel, kvGet } from "../store.js";
import { busy, errorBox, field, noticeBox, title } from "../ui.js";
import { requestCode } from "./signin.js";

const RESEND_AFTER_S = 60;
// After these the code cannot work any more: offer a new one at once.
const NEED_NEW_CODE = new Set(["code_expired", "code_used", "challenge_exhausted"]);

export const APP_VERSION = "1";

export async function signIn(challengeId, code) {
  const key = await deviceKey();
  const tokens = await post("/api/v1/auth/sessions", {
    challenge_id: challengeId,
    code,
    device: { public_key: key.publicKey, platform: "web", app_version: APP_VERSION },
  }, { auth: false });
  await saveSession({ ...tokens, expires_at: Date.now() + tokens.expires_in * 1000 });
  state.challenge = null;
  await kvDel("challenge");
}

export function render(root, { go, afterSignIn, onCleanup }) {
  const draw = (challenge) => {
    if (!challenge) {
      go("signin");
      return;
    }
    const errors = errorBox();
    const notice = noticeBox();
    const code = field(t("code_label"), {
      type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6",
      pattern: "[0-9]{6}", class: "code-input", name: "code",
    });
    const submit = h("button", { type: "submit", class: "btn", text: t("sign_in") });
    const resend = h("button", { type: "button", class: "btn secondary" });
    let timer = null;
    const stopTimer = () => {
      if (timer) clearInterval(timer);
      timer = null;
    };

    const tick = () => {
      // Signing in clears the challenge before the next screen replaces this one.
      if (!state.challenge) {
        stopTimer();
        return;
      }
      const left = Math.ceil(RESEND_AFTER_S - (Date.now() - state.challenge.sent_at) / 1000);
      resend.disabled = left > 0;
      resend.textContent = left > 0 ? t("resend_in", { seconds: left }) : t("resend");
      if (left <= 0) stopTimer();
    };
    const startTimer = () => {
      tick();
      if (!timer) timer = setInterval(tick, 1000);
    };
    onCleanup(stopTimer);

    resend.addEventListener("click", () =>
      busy(resend, async () => {
        await requestCode(state.challenge.request);
        code.input.value = "";
        notice.show(t("code_sent_again", { phone: state.challenge.phone_hint }));
        startTimer();
      }, errors).finally(tick),
    );

    const form = h("form", { novalidate: true });
    const attempt = () =>
      busy(submit, async () => {
        const value = code.input.value.replace(/\D/g, "");
        if (value.length !== 6) {
          code.input.setAttribute("aria-invalid", "true");
          errors.show(t("err_code_format"));
          return;
        }
        notice.clear();
        try {
          await signIn(state.challenge.challenge_id, value);
        } catch (error) {
          code.input.value = "";
          code.input.setAttribute("aria-invalid", "true");
          code.input.focus();
          if (NEED_NEW_CODE.has(error.code) && state.challenge) state.challenge.sent_at = 0;
          tick();
          throw error;
        }
        stopTimer();
        await afterSignIn();
      }, errors);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      attempt();
    });
    // A complete code (typed or filled in from the SMS) is sent at once.
    code.input.addEventListener("input", () => {
      code.input.removeAttribute("aria-invalid");
      if (/^\d{6}$/.test(code.input.value)) attempt();
    });
    form.append(code.wrapper, errors, notice, submit, resend);

    append(root, 
      title(t("code_title")),
      h("p", null, t("code_sent_to"), " ", h("strong", { dir: "ltr", class: "nowrap", text: challenge.phone_hint })),
      h("p", { class: "muted small", text: t("code_hint") }),
      form,
      h("a", { class: "link", href: "#/signin", text: t("change_details") }),
    );
    startTimer();
  };

  if (state.challenge) draw(state.challenge);
  else kvGet("challenge").then((saved) => {
    state.challenge = saved || null;
    draw(state.challenge);
  });
}
