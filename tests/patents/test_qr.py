"""The ГОСТ Р 56042-2014 payload and the payee file that a setting can replace (no database)."""

from __future__ import annotations

import json
from pathlib import Path

from amina.config import Settings
from amina.patents import data, qr
from tests.patents.qr_image import decode

FIELDS = {
    "Name": "УФК | тест",
    "PersonalAcc": "03100643000000018500",
    "BankName": "Банк",
    "BIC": "017003983",
    "CorrespAcc": "40102810445370000059",
    "PayeeINN": "7727406020",
    "KPP": "770801001",
    "CBC": "18210102040011000110",
    "OKTMO": "45000000",
}


def payee_file(tmp_path: Path, **changes: str | None) -> Path:
    path = tmp_path / "payee.json"
    body = {"as_of": "2026-01-01", "source": "test", "purpose": "патент {series} {number}",
            "fields": {**FIELDS, **changes}}  # fmt: skip
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_setting_replaces_the_payee_and_every_field_is_encoded(tmp_path: Path) -> None:
    payee = data.payee(Settings(data_dir=tmp_path, patent_payee_path=payee_file(tmp_path)))
    assert payee.unknown == []
    text = qr.payload(payee, sum_kopecks=1_000_000, purpose="НДФЛ", payer_inn="500100732259")
    assert text is not None
    assert decode(qr.svg(text)) == text
    header, *pairs = text.split("|")
    fields = dict(pair.split("=", 1) for pair in pairs)
    assert header == "ST00012" and len(fields) == len(pairs) == 12
    assert fields["Name"] == "УФК / тест"  # the separator never appears inside a value
    assert (fields["OKTMO"], fields["Sum"]) == ("45000000", "1000000")


def test_no_qr_when_a_required_field_is_unknown(tmp_path: Path) -> None:
    path = payee_file(tmp_path, BIC=None)
    payee = data.payee(Settings(data_dir=tmp_path, patent_payee_path=path))
    assert payee.unknown == ["BIC"]
    assert qr.payload(payee, sum_kopecks=1, purpose="x", payer_inn="500100732259") is None


def test_the_shipped_payee_marks_oktmo_unknown(tmp_path: Path) -> None:
    payee = data.payee(Settings(data_dir=tmp_path))
    assert payee.unknown == ["OKTMO"]
    assert payee.fields["CBC"] == "18210102040011000110"
    rates = data.rates(Settings(data_dir=tmp_path))
    assert {(r.region.value, r.year, r.monthly_rub) for r in rates} == {
        ("moscow", 2025, 8900),
        ("moscow", 2026, 10000),
        ("moscow_oblast", 2025, 8900),
        ("moscow_oblast", 2026, 10000),
    }
