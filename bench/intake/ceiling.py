"""The ceiling: a trivial `async` FastAPI POST returning `{}`, served by uvicorn with the same
settings as `amina serve` (httptools, uvloop, access log at info). `python -m bench.intake.wrk`
runs it interleaved with the intake (ceiling, intake, ceiling, intake)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

app = FastAPI()


@app.post("/")
async def trivial() -> dict[str, Any]:
    return {}
