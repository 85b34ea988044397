"""How `amina demo` shows what it seeded: one row per person with everything needed to sign in."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from rich import box
from rich.table import Table

from amina.cli.common import stdout


def cli_path() -> str:
    """The `amina` being run, as a path that works when pasted in the current directory."""
    executable = Path(sys.argv[0]) if Path(sys.argv[0]).name == "amina" else None
    if executable is None:
        executable = Path(sys.executable).with_name("amina")
    absolute = executable.absolute()
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return str(absolute)
    return str(relative) if os.sep in str(relative) else f".{os.sep}{relative}"


def print_demo(result: dict[str, Any], officer_password: str) -> None:
    stdout.print(f"[bold]Migrants[/bold]: open {result['app_url']} and sign in with a card")
    stdout.print("number and birth date (lost card: the passport's country and number).")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("card", "birth date", "passport", "lang"):  # copied as printed: never wrapped
        table.add_column(column, no_wrap=True)
    table.add_column("state")
    for person in result["people"]:
        passport = person["passport"]
        table.add_row(
            person["card_number"],
            person["birth_date"],
            f"{passport['country']} {passport['number']}",
            person["language"],
            person["state"],
        )
    stdout.print(table)
    stdout.print("The one-time code (log SMS backend) is shown by:")
    stdout.print(f"  {result['sms_command']}", soft_wrap=True, highlight=False)
    for note in result.get("notes", []):
        stdout.print(note, highlight=False)
    stdout.print(f"[bold]Officers[/bold]: POST {result['app_url']}api/v1/officer/sessions")
    stdout.print(f"with username and password ({officer_password!r}):")
    for officer in result["officers"]:
        stdout.print(f"  {officer['username']}  ({officer['role']})")
