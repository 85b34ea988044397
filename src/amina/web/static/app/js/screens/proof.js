// Screen 10: proof of registration, a QR code anyone can check.
import { get } from "../api.js";
import { append, h, svgImage } from "../dom.js";
import { errorText } from "../errors.js";
import { t } from "../i18n.js";
import { state } from "../state.js";
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
      const person = state.me && state.me.person;
      body.replaceChildren(
        h("div", { class: "card" },
          person ? h("p", { class: "big", text: `${person.surname} ${person.given_names}` }) : null,
          svgImage(proof.qr_svg, t("proof_qr_alt")),
          h("p", { class: "small", text: t("proof_how") }),
          verify ? h("p", { class: "small" }, t("proof_link"), " ", h("a", { href: verify, class: "mono", rel: "noreferrer", text: verify })) : null,
        ),
      );
    })
    .catch((error) => {
      body.replaceChildren(h("p", { class: "error", role: "alert", text: errorText(error) }));
      if (error.code === "not_registered") body.append(h("a", { class: "btn", href: "#/home", text: t("go_home") }));
    });
}
