"""The intake's answer bytes are exactly what the `IntakeOut` models give (api.md's shape)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from pydantic import TypeAdapter

from amina.monitoring.answer import intake_json
from amina.monitoring.intake import IntakeResult, Rejected
from amina.monitoring.schemas import ConnectivityOutageOut, IntakeOut, MonitoringOut, RejectedOut

_MODEL = TypeAdapter(IntakeOut)


def _by_models(result: IntakeResult) -> bytes:
    return _MODEL.dump_json(
        IntakeOut(
            accepted=result.accepted,
            duplicates=result.duplicates,
            rejected=[RejectedOut.model_validate(r) for r in result.rejected],
            monitoring=result.monitoring,
        )
    )


L = datetime(2026, 3, 6, 20, 59, 59, 123456, tzinfo=UTC)  # 23:59:59 in Moscow, a Friday
CASES = {
    "nothing": IntakeResult(),
    "accepted, no registration": IntakeResult(
        accepted=[uuid.uuid4(), uuid.uuid4()],
        monitoring=MonitoringOut.model_construct(last_monitoring_at=L),
    ),
    "all fields": IntakeResult(
        accepted=[uuid.uuid4()],
        duplicates=[uuid.uuid4()],
        rejected=[
            Rejected(id=None, code="invalid_report", message='lat: не число "x"\n'),
            Rejected(id="r-1", code="too_old", message="older than 30 days"),
        ],
        monitoring=MonitoringOut.model_construct(
            last_monitoring_at=L,
            reminder_at=datetime(2026, 3, 10, 6, 0, tzinfo=UTC),
            final_warning_at=datetime(2026, 3, 11, 9, 0, tzinfo=timezone(timedelta(hours=3))),
            deregistration_at=datetime(2026, 3, 11, 21, 0, tzinfo=UTC),
        ),
    ),
    "validated model": IntakeResult(
        duplicates=[uuid.uuid4()],
        monitoring=MonitoringOut(
            last_monitoring_at=L.replace(microsecond=0), reminder_at=L + timedelta(days=3)
        ),
    ),
    "with outages": IntakeResult(
        monitoring=MonitoringOut(
            last_monitoring_at=L,
            connectivity_outages=[
                ConnectivityOutageOut(
                    starts_at=L, ends_at=L + timedelta(hours=5), reason="shutdown", district="x"
                )
            ],
        )
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_answer_is_the_models_bytes(case: str) -> None:
    result = CASES[case]
    assert intake_json(result) == _by_models(result)


def test_instants_are_in_moscow_time_and_deadlines_repeat() -> None:
    result = CASES["all fields"]
    first = orjson.loads(intake_json(result))["monitoring"]
    assert first["last_monitoring_at"] == "2026-03-06T23:59:59.123456+03:00"
    assert first["final_warning_at"] == "2026-03-11T09:00:00+03:00"
    # The same deadline given in another zone is the same instant and the same text.
    again = IntakeResult(
        monitoring=MonitoringOut.model_construct(
            reminder_at=datetime(2026, 3, 10, 9, 0, tzinfo=timezone(timedelta(hours=3)))
        )
    )
    assert orjson.loads(intake_json(again))["monitoring"]["reminder_at"] == first["reminder_at"]
