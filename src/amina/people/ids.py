"""Document numbers: normalised before storage and lookup, so "AA 123-456" finds "AA123456"."""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import date

from amina.errors import InvalidInput

_SEPARATORS = re.compile(r"[\s\-./]")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
_CARD = re.compile(r"^[A-Z0-9]{6,20}$")
GENERATED_CARD_DIGITS = 12


def normalise_passport_number(raw: str) -> str:
    number = _SEPARATORS.sub("", raw).upper()
    if not _PASSPORT.fullmatch(number):
        raise InvalidInput(
            "a passport number is 5 to 20 letters and digits", code="invalid_passport_number"
        )
    return number


def _luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return str((10 - total % 10) % 10)


def normalise_card_number(raw: str) -> str:
    number = _SEPARATORS.sub("", raw).upper()
    if not _CARD.fullmatch(number):
        raise InvalidInput(
            "a card number is 6 to 20 letters and digits", code="invalid_card_number"
        )
    return number


def has_valid_check_digit(number: str) -> bool:
    """Numbers Amina generates end in a Luhn digit, so the app can catch a typo offline."""
    return number.isdigit() and _luhn_digit(number[:-1]) == number[-1]


def new_card_number() -> str:
    body = "77" + "".join(secrets.choice("0123456789") for _ in range(GENERATED_CARD_DIGITS - 3))
    return body + _luhn_digit(body)


def format_card_number(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def mask_document_number(number: str) -> str:
    """Enough to match a document in hand, not to copy it: "FA•••••67", "77••••••0016"."""
    if len(number) <= 4:
        return "•" * len(number)
    keep = 4 if number.isdigit() else 2
    return number[:2] + "•" * (len(number) - 2 - keep) + number[-keep:]


# -- the normal forms behind keyed lookups (people.lookup, vault) -------------------------------


def lookup_name(raw: str) -> str:
    """NFC, case-folded, with no spaces: "Karimov " and "KARIMOV" find one another."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", raw).casefold())


def lookup_phone(raw: str) -> str:
    """E.164: a + and digits only."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", raw))
    return f"+{digits}"


def lookup_document_number(raw: str) -> str:
    """Upper-case, with no spaces or separators (as numbers are stored)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def document_lookup_text(kind: str, country: str, number: str) -> str:
    return f"{kind}|{country.upper()}|{lookup_document_number(number)}"


def surname_birth_lookup_text(surname: str, birth_date: date) -> str:
    return f"{lookup_name(surname)}|{birth_date.isoformat()}"
