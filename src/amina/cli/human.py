"""The readable form of any command's data: rich tables, instants in Moscow time with offset.

`emit()` uses it when a command has no hand-written human form, so every data command reads
well without `--json` and prints the same facts as its JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from rich import box
from rich.console import Console
from rich.table import Table

from amina.rules.calendar import MOSCOW


def moscow_text(value: datetime) -> str:
    """ "2026-12-02 04:48:00 +03:00": Moscow wall-clock time, with the offset to be unambiguous."""
    local = value.astimezone(MOSCOW).replace(microsecond=0)
    return local.isoformat(sep=" ")[:19] + " " + local.isoformat()[-6:]


def cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return moscow_text(value) if value.tzinfo else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) >= 20 and value[10:11] == "T":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moscow_text(parsed) if parsed.tzinfo else value
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return ", ".join(cell(v) for v in value) or "—"
    return str(value)


def _flatten(data: dict[str, Any], prefix: str = "") -> tuple[list[tuple[str, Any]], list[Any]]:
    """Scalars as dotted keys; lists of records set aside to print as tables of their own."""
    scalars: list[tuple[str, Any]] = []
    tables: list[Any] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, BaseModel):
            value = value.model_dump()
        if isinstance(value, dict):
            inner, nested = _flatten(value, f"{name}.")
            scalars.extend(inner)
            tables.extend(nested)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            tables.append((name, value))
        else:
            scalars.append((name, value))
    return scalars, tables


def records_table(rows: list[dict[str, Any]], title: str | None = None) -> Table:
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(cell(_scalar(row.get(c))) for c in columns))
    return table


def _scalar(value: Any) -> Any:
    if isinstance(value, dict):
        return ", ".join(f"{k}={cell(v)}" for k, v in value.items())
    return value


def render(console: Console, data: Any) -> None:
    if isinstance(data, BaseModel):
        data = data.model_dump()
    if isinstance(data, list):
        if not data:
            console.print("(none)")
        elif all(isinstance(row, dict) for row in data):
            console.print(records_table(data))
        else:
            for item in data:
                console.print(cell(item))
        return
    if not isinstance(data, dict):
        console.print(cell(data))
        return
    scalars, tables = _flatten(data)
    if scalars:
        table = Table(box=box.SIMPLE, show_header=False)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for key, value in scalars:
            table.add_row(key, cell(value))
        console.print(table)
    for name, rows in tables:
        console.print(records_table(rows, title=name))
