"""Patent API shapes (api.md, "Added in wave 2", "Patents")."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from amina.rules.patents import PatentStatus, Region
from amina.schemas import ApiModel, Instant, RequestModel

SERIES = r"^[0-9A-Za-zА-Яа-я]{1,10}$"
NUMBER = r"^[0-9A-Za-zА-Яа-я]{1,20}$"


class PaymentOut(ApiModel):
    id: uuid.UUID
    source: str
    source_ref: str
    amount_kopecks: int
    paid_at: Instant
    paid_on: date
    received_at: Instant
    monthly_amount_rub: int | None
    months_credited: int
    remainder_kopecks: int
    flags: list[str]


class PatentOut(ApiModel):
    patent_id: uuid.UUID
    person_id: uuid.UUID
    series: str
    number: str
    issued_on: date
    region: Region
    profession: str | None
    employer: str | None
    inn: str
    status: Literal["valid", "lapsed", "reissued"]
    valid_through: date
    lapses_at: Instant
    months_paid: int
    months_payable: int
    days_left: int
    monthly_amount_rub: int | None
    reissue_of: uuid.UUID | None
    payments: list[PaymentOut]


class PayeeDetail(ApiModel):
    field: str
    value: str | None
    known: bool


class PaymentBlock(ApiModel):
    months: int
    monthly_amount_rub: int
    amount_rub: int
    amount_kopecks: int
    purpose: str
    # None when a field that the standard requires is unknown: no QR rather than a wrong one.
    qr_svg: str | None
    payload: str | None
    details: list[PayeeDetail]
    unknown_fields: list[str]
    source: str
    as_of: str


class MePatentOut(PatentOut):
    payment: PaymentBlock | None = None


class IssuedOut(ApiModel):
    patent_id: uuid.UUID
    valid_through: date
    lapses_at: Instant


class QuoteOut(ApiModel):
    monthly_amount: int
    amount: int
    year: int


class IssueIn(RequestModel):
    person_id: uuid.UUID
    series: str = Field(pattern=SERIES)
    number: str = Field(pattern=NUMBER)
    issued_on: date
    months: int = Field(ge=1, le=12)
    inn: str = Field(min_length=1, max_length=20)
    region: Region = Region.MOSCOW
    profession: str | None = Field(default=None, max_length=200)
    employer: str | None = Field(default=None, max_length=300)


class ReissueIn(RequestModel):
    series: str = Field(pattern=SERIES)
    number: str = Field(pattern=NUMBER)
    months: int = Field(ge=1, le=12)
    issued_on: date | None = None


class PatentRef(RequestModel):
    series: str = Field(min_length=1, max_length=10)
    number: str = Field(min_length=1, max_length=20)


class PatentPaymentIn(RequestModel):
    """A confirmation from the treasury or a bank (rules.md §7); idempotent by (source,
    source_ref). It names the patent, or the payer's ИНН, or both."""

    type: Literal["patent_payment"]
    source: str = Field(min_length=1, max_length=100)
    source_ref: str = Field(min_length=1, max_length=200)
    occurred_at: AwareDatetime
    patent: PatentRef | None = None
    payer_inn: str | None = Field(default=None, max_length=20)
    amount_kopecks: int = Field(ge=0, le=10**12)

    @model_validator(mode="after")
    def _names_a_patent(self) -> PatentPaymentIn:
        if self.patent is None and self.payer_inn is None:
            raise ValueError("name the patent (series and number) or the payer's ИНН")
        return self


class PaymentAccepted(ApiModel):
    id: uuid.UUID
    outcome: Literal["credited", "flagged"]
    flags: list[str]
    months_credited: int
    duplicate: bool


def status_code(status: PatentStatus) -> Literal["valid", "lapsed", "reissued"]:
    codes: dict[PatentStatus, Literal["valid", "lapsed", "reissued"]] = {
        PatentStatus.VALID: "valid",
        PatentStatus.LAPSED: "lapsed",
        PatentStatus.REISSUED: "reissued",
    }
    return codes[status]
