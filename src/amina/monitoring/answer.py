"""The intake's answer (api.md: `POST /me/locations`, `IntakeOut`) as JSON bytes.

Every signed report is answered with this. Building the pydantic models and dumping them
(`IntakeOut`, `RejectedOut`, `MonitoringOut`'s instants rendered in Moscow time) was about a
tenth of a signed report's CPU; here the same bytes come from one `orjson.dumps` of plain
values. The three deadlines repeat for everyone whose last report fell on the same Moscow date,
so their text is cached. `tests/monitoring/test_answer.py` holds this to the model's own output.
An answer with connectivity outages (rare: the general path's view) goes through the models.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from pydantic import TypeAdapter

from amina.monitoring.intake import IntakeResult
from amina.monitoring.schemas import IntakeOut, MonitoringOut, RejectedOut
from amina.schemas import moscow_rfc3339

_INTAKE_OUT = TypeAdapter(IntakeOut)


def intake_json(result: IntakeResult) -> bytes:
    monitoring = result.monitoring
    if monitoring.connectivity_outages:
        return _by_models(result)
    return orjson.dumps(
        {
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "rejected": [
                {"id": r.id, "code": r.code, "message": r.message} for r in result.rejected
            ],
            "monitoring": _monitoring(monitoring),
        }
    )


def _monitoring(monitoring: MonitoringOut) -> dict[str, Any]:
    last = monitoring.last_monitoring_at
    return {
        "last_monitoring_at": None if last is None else moscow_rfc3339(last),
        "reminder_at": _deadline(monitoring.reminder_at),
        "final_warning_at": _deadline(monitoring.final_warning_at),
        "deregistration_at": _deadline(monitoring.deregistration_at),
        "connectivity_outages": [],
    }


@lru_cache(maxsize=4096)
def _deadline(value: datetime | None) -> str | None:
    # Equal instants are one key whatever their zone; the text is Moscow's either way.
    return None if value is None else moscow_rfc3339(value)


def _by_models(result: IntakeResult) -> bytes:
    answer = IntakeOut(
        accepted=result.accepted,
        duplicates=result.duplicates,
        rejected=[RejectedOut.model_validate(r) for r in result.rejected],
        monitoring=result.monitoring,
    )
    return _INTAKE_OUT.dump_json(answer)
