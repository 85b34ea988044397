"""Demo data for the patent: one worker whose patent lapses in three days (`amina demo`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from amina.audit.service import Actor
from amina.config import Settings
from amina.patents import repo, service
from amina.people.service import find_card
from amina.rules import patents as rules

DEMO_CARD = "770000000016"
DEMO_INN = "500100732259"  # a well-known valid test ИНН
DAYS_LEFT = 3
NOTE = f"card {DEMO_CARD} has a work patent that lapses in {DAYS_LEFT} days: open #/patent"


def seed_patent(session: Session, *, now: datetime, actor: Actor) -> bool:
    """Issue the demo worker a one-month patent valid for DAYS_LEFT more days; once."""
    card = find_card(session, DEMO_CARD)
    if card is None or repo.current_for_person(session, card.person_id) is not None:
        return False
    today = rules.moscow_date(now)
    issued_on = rules.add_months(today + timedelta(days=DAYS_LEFT), -1)
    service.issue(
        session,
        now=now,
        settings=Settings(),
        actor=actor,
        person_id=card.person_id,
        series="77",
        number="2600000018",
        issued_on=issued_on,
        months=1,
        inn=DEMO_INN,
        profession="подсобный рабочий",
    )
    return True
