// Screen 10: proof of registration, a QR code anyone can check.
import { get } from "../api.js";
import { append, h, svgImage } from "../dom.js";
import { errorText } from "../errors.js";
import { t } from "../i18n.js";
import { formatDate, formatDateTime, moscowParts } from "../time.js";
import { loading, title } from "../ui.js";

const safeHttpUrl = (value) => {
  try {
    const url = new URL(value, location.origin);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
};

export function render(root) {
  const body = h("div", null, loading());
  append(root, title(t("proof_title")), h("p", { text: t("proof_intro") }), body);
  get("/api/v1/me/proof")
    .then((proof) => {
      const verify = safeHttpUrl(proof.verify_url);
      const active = proof.status === "active";
      const since = formatDate(moscowParts(proof.registered_at).ymd);
      body.replaceChildren(
        h("div", { class: "card" },
          h("p", { class: active ? "big ok" : "big error", "data-testid": "proof-status",
            text: active ? t("proofcard_since", { date: since }) : t("proofcard_not_active") }),
          h("p", { class: "big", text: proof.holder }),
          h("p", null, t("proofcard_document"), " ", h("strong", { dir: "ltr", class: "mono", text: proof.document })),
          svgImage(proof.qr_svg, t("proof_qr_alt")),
          h("p", { class: "small", text: t("proof_how") }),
          verify ? h("p", { class: "small" }, t("proof_link"), " ", h("a", { href: verify, class: "mono", rel: "noreferrer", text: verify })) : null,
          h("p", { class: "small muted", "data-testid": "proof-checked", text: t("proofcard_checked", { time: formatDateTime(proof.checked_at) }) }),
        ),
      );
    })
    .catch((error) => {
      body.replaceChildren(h("p", { class: "error", role: "alert", text: errorText(error) }));
      if (error.code === "not_registered") body.append(h("a", { class: "btn", href: "#/home", text: t("go_home") }));
    });
}
