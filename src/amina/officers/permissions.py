"""The role × action matrix: the one place that says which role may do what.

The server enforces it (`require`, and every officer route names its action in
`amina.web.access.ROUTE_ACTIONS`); docs/console.md shows it; a test walks every console and
officer-API route for every role and compares the answers with it. Anything not listed is refused.
"""

from __future__ import annotations

from amina.officers.models import Role

MMC, POLICE, SUPERVISOR, ADMIN, AUDITOR = (
    Role.MMC_OFFICER,
    Role.POLICE_OFFICER,
    Role.SUPERVISOR,
    Role.ADMIN,
    Role.AUDITOR,
)
ANY_ROLE = frozenset(Role)
OFFICERS = frozenset({MMC, POLICE, SUPERVISOR})

PERMISSIONS: dict[str, frozenset[Role]] = {
    # Every signed-in officer: their own account (home page, password, sign-out).
    "account.self": ANY_ROLE,
    "checkin.record": OFFICERS,
    "person.search": OFFICERS,
    "person.view": OFFICERS,
    "reminder.send": frozenset({MMC, SUPERVISOR}),
    "queue.due_soon": OFFICERS,
    "case.view": OFFICERS,
    "case.claim": frozenset({MMC, SUPERVISOR}),
    "case.assign": frozenset({SUPERVISOR}),
    "case.decide": frozenset({MMC, SUPERVISOR}),
    "registry.view": OFFICERS,
    "registry.propose": OFFICERS,
    "registry.decide": frozenset({MMC, SUPERVISOR}),
    "registry.remove": frozenset({MMC, SUPERVISOR}),
    "outage.view": frozenset({MMC, POLICE, SUPERVISOR, ADMIN}),
    "outage.declare": frozenset({SUPERVISOR, ADMIN}),
    "calendar.override": frozenset({SUPERVISOR, ADMIN}),
    "dashboard.view": frozenset({MMC, SUPERVISOR, ADMIN}),
    "audit.view": frozenset({AUDITOR, SUPERVISOR}),
    # Patents (issue 7).
    "patent.issue": frozenset({MMC, SUPERVISOR}),
    "patent.view": frozenset({MMC, POLICE, SUPERVISOR}),
    # Appointments at the MMC (issue 12).
    "booking.arrive": frozenset({MMC, SUPERVISOR}),
    "booking.view": frozenset({MMC, SUPERVISOR}),
    "booking.close": frozenset({SUPERVISOR, ADMIN}),
    # Police districts (issue 11): the list, and setting an officer's district.
    "district.view": frozenset({MMC, POLICE, SUPERVISOR, ADMIN}),
    "officer.district": frozenset({ADMIN}),
}


def allowed(role: Role, action: str) -> bool:
    return role in PERMISSIONS.get(action, frozenset())


def matrix_markdown() -> str:
    """The matrix as the Markdown table docs/console.md carries (a test keeps them equal)."""
    roles = list(Role)
    lines = [
        "| action | " + " | ".join(r.value for r in roles) + " |",
        "| --- |" + " :-: |" * len(roles),
    ]
    for action, permitted in PERMISSIONS.items():
        cells = ["✔" if r in permitted else "·" for r in roles]
        lines.append(f"| `{action}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)
