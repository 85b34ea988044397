"""The payment QR in the Russian standard format (ГОСТ Р 56042-2014), which bank apps scan.

`ST0001` + `2` (UTF-8), then `|Key=Value` pairs: the five required fields first (Name,
PersonalAcc, BankName, BIC, CorrespAcc), then the optional ones. `Sum` is in kopecks. A value
may not contain the separator, so `|` is replaced; an unknown field is left out, never invented.
"""

from __future__ import annotations

import io

import segno

from amina.patents.data import REQUIRED_FIELDS, TAX_FIELDS, Payee

HEADER = "ST00012"
SEPARATOR = "|"


def _clean(value: str) -> str:
    return " ".join(value.replace(SEPARATOR, "/").split())


def payload(payee: Payee, *, sum_kopecks: int, purpose: str, payer_inn: str) -> str | None:
    """The QR text, or None if a required field is unknown (no QR rather than a wrong one)."""
    if any(not payee.fields.get(name) for name in REQUIRED_FIELDS):
        return None
    pairs = [(name, payee.fields[name]) for name in (*REQUIRED_FIELDS, *TAX_FIELDS)]
    pairs += [("Sum", str(sum_kopecks)), ("Purpose", purpose), ("PayerINN", payer_inn)]
    body = SEPARATOR.join(f"{k}={_clean(v)}" for k, v in pairs if v)
    return f"{HEADER}{SEPARATOR}{body}"


def svg(text: str) -> str:
    code = segno.make_qr(text, error="m", encoding="utf-8")
    out = io.BytesIO()
    code.save(out, kind="svg", scale=4, border=4, xmldecl=False, svgns=True)
    return out.getvalue().decode()
