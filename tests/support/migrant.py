"""A migrant's phone, as tests drive it: an Ed25519 device key, signed report bodies, sign-in
with the code that the log SMS backend kept."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from amina.auth.devices import b64url_encode

KREMLIN = (55.7520, 37.6175)
CODE = re.compile(r"\b(\d{6})\b")


def code_in(text: str) -> str:
    match = CODE.search(text)
    assert match, f"no code in {text!r}"
    return match.group(1)


class Migrant:
    """`http` is an httpx.Client or a Starlette TestClient; `latest_sms(phone)` returns the text
    of the newest SMS to that phone; `now()` is the phone's clock."""

    def __init__(
        self,
        http: Any,
        *,
        latest_sms: Callable[[str], str],
        now: Callable[[], datetime],
        phone: str,
    ) -> None:
        self.http = http
        self.latest_sms = latest_sms
        self.now = now
        self.phone = phone
        self.key = Ed25519PrivateKey.generate()
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self.person_id: str | None = None
        self.device_id: str | None = None

    @property
    def public_key(self) -> str:
        raw = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return b64url_encode(raw)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    # -- sign-in -------------------------------------------------------------------------------

    def challenge(self, **body: Any) -> httpx.Response:
        response: httpx.Response = self.http.post("/api/v1/auth/challenges", json=body)
        return response

    def session(self, challenge_id: str, code: str) -> httpx.Response:
        response: httpx.Response = self.http.post(
            "/api/v1/auth/sessions",
            json={
                "challenge_id": challenge_id,
                "code": code,
                "device": {
                    "public_key": self.public_key,
                    "platform": "android",
                    "model": "Test phone",
                    "app_version": "test",
                },
            },
        )
        if response.status_code == 201:
            tokens = response.json()
            self.access_token, self.refresh_token = tokens["access_token"], tokens["refresh_token"]
            self.person_id, self.device_id = tokens["person_id"], tokens["device_id"]
        return response

    def sign_in(self, card_number: str, birth_date: str) -> dict[str, Any]:
        started = self.challenge(method="card", card_number=card_number, birth_date=birth_date)
        assert started.status_code == 202, started.text
        response = self.session(
            started.json()["challenge_id"], code_in(self.latest_sms(self.phone))
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def refresh(self) -> None:
        response: httpx.Response = self.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": self.refresh_token}
        )
        assert response.status_code == 200, response.text
        tokens = response.json()
        self.access_token, self.refresh_token = tokens["access_token"], tokens["refresh_token"]

    # -- the record ----------------------------------------------------------------------------

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.http.get(path, headers=self.auth, **kwargs)
        return response

    def me(self) -> dict[str, Any]:
        response = self.get("/api/v1/me")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def location(
        self,
        *,
        lat: float | None = KREMLIN[0],
        lon: float | None = KREMLIN[1],
        ago: timedelta = timedelta(0),
        recorded_at: datetime | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        at = recorded_at or self.now() - ago
        report = {
            "id": str(uuid.uuid4()),
            "lat": lat,
            "lon": lon,
            "accuracy_m": 15.0 if lat is not None else None,
            "recorded_at": at.isoformat(),
            "source": "gps",
            "mock": False,
        }
        report.update(extra)
        return report

    def register(self, location: dict[str, Any] | None = None, **consent: Any) -> httpx.Response:
        body = {
            "consent": {
                "personal_data": True,
                "geolocation": True,
                "version": "2025-09-01",
                **consent,
            },
            "location": location or self.location(),
        }
        response: httpx.Response = self.http.post(
            "/api/v1/me/registration", json=body, headers=self.auth
        )
        return response

    def declare_residence(self, **body: Any) -> httpx.Response:
        response: httpx.Response = self.http.put(
            "/api/v1/me/residence", json=body, headers=self.auth
        )
        return response

    def report(
        self,
        *reports: dict[str, Any],
        signer: Ed25519PrivateKey | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        body = json.dumps({"reports": list(reports)}).encode()
        if signature is None:
            signature = b64url_encode((signer or self.key).sign(body))
        response: httpx.Response = self.http.post(
            "/api/v1/me/locations",
            content=body,
            headers={**self.auth, "Content-Type": "application/json", "Amina-Signature": signature},
        )
        return response
