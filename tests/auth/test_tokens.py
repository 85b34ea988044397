"""The access-token check (`auth/tokens.read_access_token`) against PyJWT as the reference.

The check is a strict HS256-only verifier of the tokens we issue. It must accept exactly the
tokens PyJWT (with the options the service used before) accepts, with the same claims, and it
may only be stricter, never looser."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from amina.auth import tokens
from amina.errors import NotAuthenticated

KEY = b"k" * 64
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
AUDIENCE = tokens.MIGRANT_AUDIENCE
SUBJECT, SESSION, DEVICE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def _reference(token: str) -> tokens.AccessClaims | str:
    """What PyJWT, with the service's former options, makes of a token."""
    try:
        claims = jwt.decode(
            token,
            KEY,
            algorithms=[tokens.ALGORITHM],
            audience=AUDIENCE,
            issuer=tokens.ISSUER,
            options={"verify_exp": False, "verify_iat": False, "require": ["exp", "sub", "sid"]},
        )
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
        device = uuid.UUID(claims["did"]) if "did" in claims else None
        found = tokens.AccessClaims(
            uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"]), device, expires_at
        )
    except (jwt.PyJWTError, ValueError, TypeError, KeyError, AttributeError, OverflowError):
        return "invalid_token"
    return "token_expired" if expires_at <= NOW else found


def _ours(token: str) -> tokens.AccessClaims | str:
    try:
        return tokens.read_access_token(KEY, token, now=NOW, audience=AUDIENCE)
    except NotAuthenticated as error:
        return error.code


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _raw(header: dict[str, Any], claims: dict[str, Any], key: bytes = KEY) -> str:
    import hashlib
    import hmac

    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(claims).encode())
    signature = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


def _claims(**changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": tokens.ISSUER,
        "aud": AUDIENCE,
        "sub": str(SUBJECT),
        "sid": str(SESSION),
        "did": str(DEVICE),
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(minutes=15)).timestamp()),
    }
    for name, value in changes.items():
        if value is ...:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


HS256 = {"alg": "HS256", "typ": "JWT"}


def _issued(
    key: bytes = KEY,
    *,
    now: datetime = NOW,
    minutes: int = 15,
    audience: str = AUDIENCE,
    device: uuid.UUID | None = None,
) -> str:
    return tokens.issue_access_token(
        key,
        now=now,
        ttl=timedelta(minutes=minutes),
        audience=audience,
        subject=SUBJECT,
        session_id=SESSION,
        device_id=device,
    )


ISSUED = _issued(device=DEVICE)
CASES: dict[str, str] = {
    "issued": ISSUED,
    "issued, no device": _issued(minutes=5),
    "expired": _issued(now=NOW - timedelta(hours=1)),
    "officer audience": _issued(audience=tokens.OFFICER_AUDIENCE),
    "other key": _issued(b"x" * 64),
    "payload swapped": ".".join(
        [
            ISSUED.split(".")[0],
            _b64(json.dumps(_claims(sub=str(uuid.uuid4()))).encode()),
            ISSUED.split(".")[2],
        ]
    ),
    "signature cut": ISSUED[:-2],
    "no signature": ISSUED.rsplit(".", 1)[0] + ".",
    "alg none": _b64(b'{"alg":"none","typ":"JWT"}') + "." + ISSUED.split(".")[1] + ".",
    "alg HS512": jwt.encode(_claims(), KEY, algorithm="HS512"),
    "audience list": _raw(HS256, _claims(aud=["other", AUDIENCE])),
    "audience list without ours": _raw(HS256, _claims(aud=["other"])),
    "wrong issuer": _raw(HS256, _claims(iss="someone")),
    "no issuer": _raw(HS256, _claims(iss=...)),
    "no expiry": _raw(HS256, _claims(exp=...)),
    "no subject": _raw(HS256, _claims(sub=...)),
    "no session": _raw(HS256, _claims(sid=...)),
    "subject not a uuid": _raw(HS256, _claims(sub="alice")),
    "expiry as text": _raw(HS256, _claims(exp="soon")),
    "expiry huge": _raw(HS256, _claims(exp=10**30)),
    "crit header": _raw({**HS256, "crit": ["exp"]}, _claims()),
    "payload not an object": _raw(HS256, [1, 2]),  # type: ignore[arg-type]
    "header not json": _b64(b"{nope") + "." + ISSUED.split(".", 1)[1],
    "two segments": ".".join(ISSUED.split(".")[:2]),
    "four segments": ISSUED + ".x",
    "empty": "",
    "garbage": "not-a-token",
    "nul": ISSUED + "\x00",
    "non-ascii": ISSUED[:-1] + "é",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_check_agrees_with_pyjwt(case: str) -> None:
    assert _ours(CASES[case]) == _reference(CASES[case])


def test_the_issued_token_reads_back() -> None:
    found = _ours(ISSUED)
    assert found == tokens.AccessClaims(
        SUBJECT, SESSION, DEVICE, datetime.fromtimestamp(int(_claims()["exp"]), tz=UTC)
    )


@pytest.mark.parametrize(
    "token",
    [
        _raw(HS256, _claims(sub=123)),  # PyJWT refuses too (sub must be a string)
        _raw(HS256, _claims(did=5)),  # a device claim that is not a string
        _raw(HS256, _claims(nbf=int(NOW.timestamp()))),  # we never issue nbf
        ISSUED.split(".")[0] + "=." + ISSUED.split(".", 1)[1],  # padding is not base64url
    ],
)
def test_stricter_than_pyjwt_only_in_refusing(token: str) -> None:
    assert _ours(token) == "invalid_token"
