"""The write half of the report-intake hot path: what a group commit does with its requests.

`IntakeWriter.write_all(session, writes)` is the group-commit writer's batch handler
(`groupcommit.BatchHandler`): it gets every intake request of one group, in person order, and
stores them in the group's one transaction:

1. one statement reads every request's facts (the revocation check, the person's monitoring
   state, the fix before the new ones) and locks the people's monitoring rows
   (`grouprepo.intake_facts_many`);
2. refused requests (revoked, unknown) are answered with their error, and rare ones (no
   monitoring row yet, heartbeats, reports that might reopen a no_geolocation deregistration)
   take the general ORM path, `intake.store`, one by one;
3. the rest, the usual case, share one INSERT of all their reports and at most two UPDATEs of
   the monitoring rows: the same-day shortcut where it applies (only the instant moves), and a
   recomputed schedule where it does not. The schedule comes from a per-process cache keyed by
   the calendar's fingerprint (`schedule.DeadlineCache`).

A person with several requests in one group has them stored one after the other, in the order
they came (rounds: each round holds one request per person, and sees the rounds before it).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy.orm import Session

from amina.auth.cache import KnownDevice
from amina.config import Settings
from amina.errors import DomainError, NotAuthenticated
from amina.groupcommit import Outcome
from amina.monitoring import grouprepo, intake, repo, reportrows
from amina.monitoring.schedule import DeadlineCache
from amina.monitoring.schemas import MonitoringOut
from amina.rules.calendar import moscow_date, moscow_instant
from amina.rules.deadlines import Deadlines
from amina.rules.reports import Fix, moves_monitoring, speed_horizon
from amina.rules.territory import Territory


@dataclass(frozen=True)
class Write:
    """One request's reports, validated outside the transaction (`ReportIntake.prepare_write`)."""

    device: KnownDevice
    prepared: intake.Prepared
    now: datetime
    owntracks: bool
    fixes: list[tuple[uuid.UUID, Fix]]  # the valid reports' fixes, oldest first

    def facts_key(self, horizon: timedelta | None) -> grouprepo.FactsKey:
        """What its facts are read by: the fix before its oldest one, as far back as a fix can
        still make it impossible (`horizon`; None: no bound)."""
        before = self.fixes[0][1].recorded_at if self.fixes else self.now
        return grouprepo.FactsKey(
            person_id=self.device.person_id,
            device_id=self.device.device_id,
            session_id=self.device.session_id,
            before=before,
            earliest=before,
            horizon=datetime.min.replace(tzinfo=UTC) if horizon is None else before - horizon,
        )


def new_write(
    device: KnownDevice, prepared: intake.Prepared, now: datetime, *, owntracks: bool
) -> Write:
    fixes = sorted(
        ((r.id, fix) for r in prepared.valid if (fix := r.fix()) is not None),
        key=lambda pair: pair[1].recorded_at,
    )
    return Write(device, prepared, now, owntracks, fixes)


@dataclass
class _Stored:
    """A fast-path request once its reports are inserted: how its monitoring row moves."""

    write: Write
    facts: repo.IntakeFacts
    result: intake.IntakeResult
    latest: datetime | None = None  # the new last monitoring instant, if it moves
    reminder_at: datetime | None = None
    same_day: bool = False
    clock_s: float = field(default_factory=time.monotonic)


class IntakeWriter:
    """One per process (`ReportIntake.store`); runs on the group-commit writer's thread."""

    def __init__(self, settings: Settings, territory: Territory) -> None:
        self.settings = settings
        self.territory = territory
        self.deadlines = DeadlineCache()
        self.speed_horizon = speed_horizon(settings.impossible_speed_kmh)
        # Which write path requests took (tests and the benchmark read them).
        self.fast_writes = 0
        self.general_writes = 0

    def write_all(self, session: Session, writes: list[Write]) -> list[Outcome]:
        outcomes: list[Outcome] = [(False, None)] * len(writes)
        for indices in _rounds(writes):
            self._round(session, [(i, writes[i]) for i in indices], outcomes)
        return outcomes

    def write_one(self, session: Session, write: Write) -> intake.IntakeResult:
        """One request in the caller's transaction (raises its refusal)."""
        [(ok, value)] = self.write_all(session, [write])
        if not ok:
            raise value
        result: intake.IntakeResult = value
        return result

    def _round(
        self, session: Session, items: list[tuple[int, Write]], outcomes: list[Outcome]
    ) -> None:
        keys = [write.facts_key(self.speed_horizon) for _, write in items]
        fast: list[tuple[int, Write, repo.IntakeFacts]] = []
        for (index, write), facts in zip(
            items, grouprepo.intake_facts_many(session, keys), strict=True
        ):
            try:
                known = self._known(write, facts)
                if self._general(session, write, known):
                    self.general_writes += 1
                    outcomes[index] = (True, self._store_general(session, write))
                else:
                    fast.append((index, write, known))
            except DomainError as error:
                if error.keep_changes:  # cannot be kept inside a shared group
                    raise
                outcomes[index] = (False, error)
        for index, result in self._fast(session, fast):
            self.fast_writes += 1
            outcomes[index] = (True, result)

    @staticmethod
    def _known(write: Write, facts: repo.IntakeFacts | None) -> repo.IntakeFacts:
        """Refuse a request whose session (or OwnTracks device) is gone or revoked."""
        if facts is None or facts.revoked:
            if write.device.session_id is None:
                raise NotAuthenticated("wrong OwnTracks credentials", code="invalid_credentials")
            if facts is None:
                raise NotAuthenticated("the access token is not valid", code="invalid_token")
            raise NotAuthenticated("this session has ended; sign in again", code="session_revoked")
        return facts

    def _general(self, session: Session, write: Write, facts: repo.IntakeFacts) -> bool:
        """Count the request's refused reports; whether it needs the general path."""
        rejected = write.prepared.result.rejected
        if rejected:  # counted for the dashboard, in this same commit
            reportrows.count_rejections(
                session, now=write.now, codes=Counter(r.code for r in rejected)
            )
        return (
            not facts.has_state
            or facts.late_evidence_possible
            or any(r.is_heartbeat for r in write.prepared.valid)
        )

    def _store_general(self, session: Session, write: Write) -> intake.IntakeResult:
        return intake.store(
            session,
            now=write.now,
            settings=self.settings,
            territory=self.territory,
            person_id=write.device.person_id,
            device_id=write.device.device_id,
            prepared=write.prepared,
            owntracks=write.owntracks,
        )

    def _fast(
        self, session: Session, fast: list[tuple[int, Write, repo.IntakeFacts]]
    ) -> Iterator[tuple[int, intake.IntakeResult]]:
        if not fast:
            return
        rows: list[dict[str, Any]] = []
        for _, write, facts in fast:
            rows.extend(self._rows(write, facts))
        inserted = reportrows.insert_reports(session, rows)
        stored = [self._moves(session, write, facts, inserted) for _, write, facts in fast]
        self._move_monitoring(session, stored)
        for (index, _, _), done in zip(fast, stored, strict=True):
            last = done.latest or done.facts.last_monitoring_at
            done.result.monitoring = self._view(session, done.facts, last, done.clock_s)
            yield index, done.result

    def _rows(self, write: Write, facts: repo.IntakeFacts) -> list[dict[str, Any]]:
        fixes = write.fixes
        placements = self.territory.classify_many(
            [f.lat for _, f in fixes], [f.lon for _, f in fixes]
        )
        return intake.report_rows(
            write.prepared.valid,
            device_id=write.device.device_id,
            person_id=write.device.person_id,
            now=write.now,
            owntracks=write.owntracks,
            placement_of={rid: p for (rid, _), p in zip(fixes, placements, strict=True)},
            jumped=intake.speed_flags(
                facts.previous_fix, fixes, self.settings.impossible_speed_kmh
            ),
            previous_monitoring=facts.last_monitoring_at,
        )

    def _moves(
        self,
        session: Session,
        write: Write,
        facts: repo.IntakeFacts,
        inserted: set[tuple[uuid.UUID, uuid.UUID]],
    ) -> _Stored:
        """Which reports were new, and whether (and how) they move the monitoring row."""
        prepared, device = write.prepared, write.device.device_id
        done = _Stored(
            write,
            facts,
            intake.IntakeResult(
                duplicates=list(prepared.result.duplicates),
                rejected=list(prepared.result.rejected),
            ),
        )
        new: list[datetime] = []
        for report in prepared.valid:
            if (device, report.id) in inserted:
                done.result.accepted.append(report.id)
                new.append(report.recorded_at)
            else:
                done.result.duplicates.append(report.id)
        last = facts.last_monitoring_at
        if not new or not moves_monitoring(latest := max(new), last):
            return done
        deadlines = self.deadlines.deadlines(
            session, self.settings, facts.calendar_fingerprint, latest, done.clock_s
        )
        done.latest, done.reminder_at = latest, deadlines.reminder_at
        # Same Moscow date as the stored L, no step taken, and the stored schedule is the one
        # today's calendar gives: only the instant moves.
        done.same_day = (
            last is not None
            and moscow_date(last) == moscow_date(latest)
            and facts.last_step is None
            and facts.registration_id is not None
            and facts.next_step_at == deadlines.reminder_at
        )
        return done

    @staticmethod
    def _move_monitoring(session: Session, stored: list[_Stored]) -> None:
        moving = [done for done in stored if done.latest is not None]
        if not moving:
            return
        touched = grouprepo.touch_same_day_many(
            session,
            [
                grouprepo.Touch(
                    person_id=done.write.device.person_id,
                    recorded_at=done.latest,
                    day_start=moscow_instant(moscow_date(done.latest), clock_time(0, 0)),
                    now=done.write.now,
                )
                for done in moving
                if done.same_day and done.latest is not None
            ],
        )
        grouprepo.advance_many(
            session,
            [
                grouprepo.Advance(
                    person_id=done.write.device.person_id,
                    recorded_at=done.latest,
                    reminder_at=done.reminder_at,
                    now=done.write.now,
                )
                for done in moving
                if done.latest is not None
                and done.reminder_at is not None
                and done.write.device.person_id not in touched
            ],
        )
        if session.identity_map:  # an ORM job of this group may hold a person's row
            session.expire_all()

    def _view(
        self, session: Session, facts: repo.IntakeFacts, last: datetime | None, clock_s: float
    ) -> MonitoringOut:
        if last is None:
            return intake.no_monitoring()
        if facts.registration_id is None:
            return _monitoring_view(last, None)
        deadlines = self.deadlines.deadlines(
            session, self.settings, facts.calendar_fingerprint, last, clock_s
        )
        return _monitoring_view(last, deadlines)


def _monitoring_view(last: datetime, deadlines: Deadlines | None) -> MonitoringOut:
    # Built from values this process computed (aware instants): not validated again. Every
    # field is given: a default_factory left to model_construct costs an inspect.signature per
    # call (a fifth of a report's CPU, py-spy).
    return MonitoringOut.model_construct(
        last_monitoring_at=last,
        reminder_at=None if deadlines is None else deadlines.reminder_at,
        final_warning_at=None if deadlines is None else deadlines.final_warning_at,
        deregistration_at=None if deadlines is None else deadlines.deregistration_at,
        connectivity_outages=[],
    )


def _rounds(writes: list[Write]) -> list[list[int]]:
    """Round k holds each person's k-th request (in the order they came)."""
    rounds: list[list[int]] = []
    seen: Counter[uuid.UUID] = Counter()
    for index, write in enumerate(writes):
        person = write.device.person_id
        if seen[person] == len(rounds):
            rounds.append([])
        rounds[seen[person]].append(index)
        seen[person] += 1
    return rounds
