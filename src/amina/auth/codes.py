"""One-time codes, identifier keys and phone hints.

Codes: 6 digits from `secrets`, stored only as an HMAC bound to their challenge, compared in
constant time. Identifiers (a card or passport number) are stored only as an HMAC, so that
lockouts and rate limits work the same for known and unknown identities.
"""

from __future__ import annotations

import hmac
import secrets
import uuid

from amina.keys import Keys

CODE_DIGITS = 6
# Country calling codes of the participating states, to give unknown identities a hint that looks
# like a real one (rules.md §2: the same answer for known and unknown identifiers).
CALLING_CODES = {
    "UZ": "998", "TJ": "992", "KG": "996", "AM": "374", "KZ": "7", "GE": "995",
    "AZ": "994", "MD": "373", "UA": "380", "RU": "7", "BY": "375",
}  # fmt: skip
_CODE_LIST = sorted(set(CALLING_CODES.values()))
MASK = "••• •• ••"


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(keys: Keys, challenge_id: uuid.UUID, code: str) -> str:
    return keys.mac(keys.codes, f"{challenge_id}|{code}")


def code_matches(keys: Keys, challenge_id: uuid.UUID, code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(code_hash(keys, challenge_id, code), stored_hash)


def identifier_key(keys: Keys, kind: str, country: str, number: str) -> str:
    """The document, not the birth date: guessing birth dates must not dodge the lockout."""
    return keys.mac(keys.identifiers, f"{kind}|{country}|{number}")


def bucket_key(keys: Keys, scope: str, value: str) -> str:
    return f"{scope}:{keys.mac(keys.identifiers, f'{scope}|{value}')[:40]}"


def _calling_code(phone: str) -> str:
    digits = phone.lstrip("+")
    for code in sorted(_CODE_LIST, key=len, reverse=True):
        if digits.startswith(code):
            return code
    return digits[:3]


def phone_hint(phone: str) -> str:
    """'+998 ••• •• ••': the country the code goes to, and no digit of the number itself.

    It depends on the document alone (the caller passes the holder's phone whatever birth date
    was given), and it shows no subscriber digits: a digit would let anyone holding a card
    number tell the right birth date from a wrong one, or learn part of the phone number.
    """
    return f"+{_calling_code(phone)} {MASK}"


def decoy_phone_hint(keys: Keys, identifier: str, citizenship: str | None) -> str:
    """A stable, plausible hint for an identity we do not know (same shape as a real one)."""
    digest = keys.mac(keys.identifiers, f"decoy|{identifier}")
    code = CALLING_CODES.get(citizenship or "") or _CODE_LIST[int(digest[:4], 16) % len(_CODE_LIST)]
    return f"+{code} {MASK}"
