"""Which action of the role matrix (amina.officers.permissions) each officer route performs.

Every console page and officer-API route is listed here, one line each; the officer
dependencies look the route up and refuse (403) a role the matrix does not allow, and refuse
every role on a route that is missing here (fail closed). tests/console/test_matrix.py walks
every route for every role against this table. To add an officer route: add its line here.
"""

from __future__ import annotations

from starlette.requests import Request

from amina.errors import Forbidden
from amina.officers.models import Officer
from amina.officers.service import require

API = "/api/v1/officer"
CONSOLE = "/console"

ROUTE_ACTIONS: dict[tuple[str, str], str] = {
    # The officer API.
    ("POST", f"{API}/checkins"): "checkin.record",
    ("GET", f"{API}/cases"): "case.view",
    ("POST", f"{API}/cases/{{case_id}}/decision"): "case.decide",
    ("POST", f"{API}/cases/{{case_id}}/claim"): "case.claim",
    ("POST", f"{API}/cases/handoff"): "case.assign",
    ("GET", f"{API}/registry"): "registry.view",
    ("POST", f"{API}/registry"): "registry.propose",
    ("POST", f"{API}/registry/{{entry_id}}/approve"): "registry.decide",
    ("POST", f"{API}/registry/{{entry_id}}/reject"): "registry.decide",
    ("POST", f"{API}/registry/{{entry_id}}/remove"): "registry.remove",
    ("POST", f"{API}/outages"): "outage.declare",
    ("POST", f"{API}/outages/{{outage_id}}/approve"): "outage.declare",
    ("GET", f"{API}/outages"): "outage.view",
    ("POST", f"{API}/calendar/overrides"): "calendar.override",
    ("POST", f"{API}/search"): "person.search",
    ("POST", f"{API}/people/{{person_id}}/access"): "person.view",
    ("GET", f"{API}/people/{{person_id}}"): "person.view",
    ("GET", f"{API}/people/{{person_id}}/timeline"): "person.view",
    ("GET", f"{API}/people/{{person_id}}/map"): "person.view",
    ("GET", f"{API}/people/{{person_id}}/presence"): "person.view",
    ("GET", f"{API}/queues/due-soon"): "queue.due_soon",
    ("POST", f"{API}/people/{{person_id}}/reminders"): "reminder.send",
    ("GET", f"{API}/dashboards/{{name}}"): "dashboard.view",
    ("GET", f"{API}/audit"): "audit.view",
    # Patents (issue 7).
    ("POST", f"{API}/patents"): "patent.issue",
    ("GET", f"{API}/persons/{{person_id}}/patent"): "patent.view",
    ("POST", f"{API}/persons/{{person_id}}/patent/reissue"): "patent.issue",
    ("GET", f"{API}/patent-payments/flagged"): "patent.view",
    # Connectivity outages by area (issue 13).
    ("POST", f"{API}/connectivity-outages"): "outage.declare",
    ("GET", f"{API}/connectivity-outages/districts"): "outage.view",
    # Appointments (issue 12).
    ("POST", f"{API}/bookings/arrivals"): "booking.arrive",
    ("POST", f"{API}/bookings/closures"): "booking.close",
    ("GET", f"{API}/bookings"): "booking.view",
    # Police districts (issue 11).
    ("GET", f"{API}/districts"): "district.view",
    ("PUT", f"{API}/officers/{{officer_id}}/district"): "officer.district",
    # The console (HTML).
    ("GET", f"{CONSOLE}/home"): "account.self",
    ("GET", f"{CONSOLE}/account"): "account.self",
    ("POST", f"{CONSOLE}/account/password"): "account.self",
    ("POST", f"{CONSOLE}/sign-out"): "account.self",
    ("GET", f"{CONSOLE}/search"): "person.search",
    ("POST", f"{CONSOLE}/search"): "person.search",
    ("GET", f"{CONSOLE}/people/{{person_id}}/open"): "person.view",
    ("POST", f"{CONSOLE}/people/{{person_id}}/open"): "person.view",
    ("GET", f"{CONSOLE}/people/{{person_id}}"): "person.view",
    ("GET", f"{CONSOLE}/people/{{person_id}}/timeline"): "person.view",
    ("GET", f"{CONSOLE}/people/{{person_id}}/map"): "person.view",
    ("GET", f"{CONSOLE}/people/{{person_id}}/presence"): "person.view",
    ("POST", f"{CONSOLE}/people/{{person_id}}/reminders"): "reminder.send",
    ("GET", f"{CONSOLE}/queues/due-soon"): "queue.due_soon",
    ("GET", f"{CONSOLE}/cases"): "case.view",
    ("POST", f"{CONSOLE}/cases/{{case_id}}/claim"): "case.claim",
    ("POST", f"{CONSOLE}/cases/handoff"): "case.assign",
    ("GET", f"{CONSOLE}/cases/{{case_id}}"): "case.view",
    ("POST", f"{CONSOLE}/cases/{{case_id}}/decision"): "case.decide",
    ("GET", f"{CONSOLE}/registry"): "registry.view",
    ("POST", f"{CONSOLE}/registry"): "registry.propose",
    ("POST", f"{CONSOLE}/registry/{{entry_id}}/approve"): "registry.decide",
    ("POST", f"{CONSOLE}/registry/{{entry_id}}/reject"): "registry.decide",
    ("POST", f"{CONSOLE}/registry/{{entry_id}}/remove"): "registry.remove",
    ("GET", f"{CONSOLE}/outages"): "outage.view",
    ("POST", f"{CONSOLE}/outages"): "outage.declare",
    ("POST", f"{CONSOLE}/calendar/overrides"): "calendar.override",
    ("GET", f"{CONSOLE}/dashboards"): "dashboard.view",
    ("GET", f"{CONSOLE}/dashboards/{{name}}.csv"): "dashboard.view",
    ("GET", f"{CONSOLE}/audit"): "audit.view",
}


def action_for(method: str, path: str) -> str | None:
    return ROUTE_ACTIONS.get((method.upper(), path))


def require_route(request: Request, officer: Officer) -> None:
    """Refuse unless the matrix lets the officer's role take this route's action."""
    route = request.scope.get("route")
    action = action_for(request.method, getattr(route, "path", ""))
    if action is None:
        raise Forbidden("this route is not in the role matrix", code="not_permitted")
    require(officer, action)
