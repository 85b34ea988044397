"""The booking's ticket: a QR code the officer scans at the MMC. It names the booking and
carries a MAC, so a made-up or altered code is refused; it holds no personal data."""

from __future__ import annotations

import hmac
import io
import uuid

import segno

from amina.errors import InvalidInput
from amina.keys import Keys

PREFIX = "AMINA-BOOKING"
MAC_CHARS = 20


def ticket_code(keys: Keys, booking_id: uuid.UUID) -> str:
    mac = keys.mac(keys.booking_tickets, str(booking_id))[:MAC_CHARS]
    return f"{PREFIX}:{booking_id}:{mac}"


def read_ticket(keys: Keys, code: str) -> uuid.UUID:
    prefix, _, rest = code.strip().partition(":")
    raw_id, _, _mac = rest.partition(":")
    try:
        booking_id = uuid.UUID(raw_id)
    except ValueError:
        booking_id = None
    if (
        prefix != PREFIX
        or booking_id is None
        or not hmac.compare_digest(ticket_code(keys, booking_id), code.strip())
    ):
        raise InvalidInput("this is not an Amina booking ticket", code="invalid_ticket")
    return booking_id


def qr_svg(content: str) -> str:
    buffer = io.BytesIO()
    segno.make(content, error="m").save(
        buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title="QR"
    )
    return buffer.getvalue().decode()
