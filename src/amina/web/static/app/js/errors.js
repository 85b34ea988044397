// Error codes (the server's and our own) → sentences in the person's language. The server's
// English message is never shown: an unknown code gets the generic sentence.
import { N_, t } from "./i18n.js";

const MESSAGES = {
  invalid_code: N_("err_invalid_code"),
  code_expired: N_("err_code_expired"),
  code_used: N_("err_code_used"),
  challenge_exhausted: N_("err_challenge_exhausted"),
  identifier_locked: N_("err_identifier_locked"),
  rate_limited: N_("err_rate_limited"),
  not_authenticated: N_("err_session_ended"),
  invalid_token: N_("err_session_ended"),
  token_expired: N_("err_session_ended"),
  session_revoked: N_("err_session_ended"),
  invalid_refresh_token: N_("err_session_ended"),
  refresh_token_expired: N_("err_session_ended"),
  already_registered: N_("err_already_registered"),
  not_required: N_("err_not_required"),
  consent_required: N_("err_consent_required"),
  invalid_request: N_("err_invalid_request"),
  malformed_json: N_("err_invalid_request"),
  invalid_card_number: N_("err_invalid_card_number"),
  invalid_passport_number: N_("err_invalid_passport_number"),
  invalid_signature: N_("err_invalid_signature"),
  signature_required: N_("err_invalid_signature"),
  invalid_public_key: N_("err_invalid_signature"),
  not_registered: N_("err_not_registered"),
  address_required: N_("err_address_required"),
  invalid_moved_in_on: N_("err_invalid_moved_in_on"),
  invalid_location: N_("err_invalid_location"),
  recorded_in_future: N_("err_recorded_in_future"),
  too_old: N_("err_too_old"),
  request_too_large: N_("err_request_too_large"),
  internal_error: N_("err_internal"),
  offline: N_("err_offline"),
  timeout: N_("err_timeout"),
  location_denied: N_("err_location_denied"),
  location_unavailable: N_("err_location_unavailable"),
  location_timeout: N_("err_location_timeout"),
  location_unsupported: N_("err_location_unsupported"),
  push_denied: N_("err_push_denied"),
  push_failed: N_("err_push_failed"),
};

export const REASONS = {
  belarus_citizen: N_("reason_belarus_citizen"),
  minor: N_("reason_minor"),
  diplomat: N_("reason_diplomat"),
  international_org: N_("reason_international_org"),
  family_of_exempt: N_("reason_family_of_exempt"),
  residence_permit: N_("reason_residence_permit"),
  citizenship_not_participating: N_("reason_citizenship_not_participating"),
  short_stay: N_("reason_short_stay"),
  work: N_("reason_work"),
  long_stay: N_("reason_long_stay"),
};

export function reasonText(reason) {
  return REASONS[reason] ? t(REASONS[reason]) : t("err_generic");
}

/** The sentence to show for an error (an ApiError, a GeoError, or anything else). */
export function errorText(error) {
  const code = error && error.code;
  if (code === "not_required") {
    const reason = error.extra && error.extra.reason;
    return reason && REASONS[reason] ? `${t("err_not_required")} ${t(REASONS[reason])}` : t("err_not_required");
  }
  if ((code === "rate_limited" || code === "identifier_locked") && error.extra && error.extra.retry_after_s) {
    const minutes = Math.max(1, Math.ceil(error.extra.retry_after_s / 60));
    return `${t(MESSAGES[code])} ${t("err_try_again_in", { minutes })}`;
  }
  if (code && MESSAGES[code]) return t(MESSAGES[code]);
  if (error && error.status >= 500) return t("err_internal");
  return t("err_generic");
}
