"""Send many pre-signed requests at once, from a process of its own (so the test's own thread,
which watches /health, is not starved by the client). Used by tests/e2e/test_intake_load.py.

    python -m tests.support.flood < plan.json > outcome.json

plan: {"base_url", "path", "requests": [{"body": str, "headers": {…}}], "timeout_s"}
outcome: {"statuses": [int | null per request], "retry_after": [str | null], "bodies": [obj]}
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import httpx


async def _send(plan: dict[str, Any]) -> dict[str, Any]:
    requests = plan["requests"]
    limits = httpx.Limits(max_connections=len(requests) + 8, max_keepalive_connections=0)
    timeout = httpx.Timeout(plan.get("timeout_s", 60.0))
    statuses: list[int | None] = [None] * len(requests)
    retry_after: list[str | None] = [None] * len(requests)
    bodies: list[Any] = [None] * len(requests)
    async with httpx.AsyncClient(base_url=plan["base_url"], limits=limits, timeout=timeout) as http:

        async def one(index: int, request: dict[str, Any]) -> None:
            try:
                response = await http.post(
                    plan["path"], content=request["body"].encode(), headers=request["headers"]
                )
            except httpx.HTTPError as error:
                bodies[index] = {"client_error": type(error).__name__}
                return
            statuses[index] = response.status_code
            retry_after[index] = response.headers.get("retry-after")
            try:
                bodies[index] = response.json()
            except ValueError:
                bodies[index] = {"text": response.text[:200]}

        await asyncio.gather(*(one(i, r) for i, r in enumerate(requests)))
    return {"statuses": statuses, "retry_after": retry_after, "bodies": bodies}


def main() -> None:
    plan = json.load(sys.stdin)
    json.dump(asyncio.run(_send(plan)), sys.stdout)


if __name__ == "__main__":
    main()
