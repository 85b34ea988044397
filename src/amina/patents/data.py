"""The patent's data files: the dated rate table and the payee's details (see PROVENANCE.md).

Either can be replaced by a setting (`AMINA_PATENT_RATES_PATH`, `AMINA_PATENT_PAYEE_PATH`).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from amina.config import Settings
from amina.rules.patents import Rate, Region

# ГОСТ Р 56042-2014 requires these five; the others are optional in the standard, but a tax
# payment needs them, so a missing one is shown as unknown.
REQUIRED_FIELDS = ("Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc")
TAX_FIELDS = ("PayeeINN", "KPP", "CBC", "OKTMO")


@dataclass(frozen=True)
class Payee:
    fields: dict[str, str | None]
    purpose: str
    source: str
    as_of: str

    @property
    def unknown(self) -> list[str]:
        return [name for name in (*REQUIRED_FIELDS, *TAX_FIELDS) if not self.fields.get(name)]


def _read(path: Path | None, name: str) -> Any:
    if path is not None:
        return json.loads(path.read_text(encoding="utf-8"))
    packaged = resources.files("amina.patents") / "data" / name
    return json.loads(packaged.read_text(encoding="utf-8"))


@functools.cache
def _rates(path: Path | None) -> tuple[Rate, ...]:
    rows = _read(path, "rates.json")["rates"]
    return tuple(
        Rate(Region(r["region"]), int(r["year"]), Decimal(r["deflator"]), Decimal(r["coefficient"]))
        for r in rows
    )


@functools.cache
def _payee(path: Path | None) -> Payee:
    raw = _read(path, "payee_moscow.json")
    fields = {str(k): (str(v) if v else None) for k, v in raw["fields"].items()}
    return Payee(fields, str(raw["purpose"]), str(raw["source"]), str(raw["as_of"]))


def rates(settings: Settings) -> tuple[Rate, ...]:
    return _rates(settings.patent_rates_path)


def payee(settings: Settings) -> Payee:
    return _payee(settings.patent_payee_path)
