"""What every command shares: the application context, output as JSON or for people, and
domain errors turned into a message and a non-zero exit."""

from __future__ import annotations

import functools
import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console

from amina.audit.service import Actor
from amina.config import Settings
from amina.context import AppContext
from amina.errors import DomainError
from amina.schemas import clean_text, moscow_rfc3339

P = ParamSpec("P")
R = TypeVar("R")

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
stderr = Console(stderr=True)
stdout = Console()


def operator() -> Actor:
    """Commands are run by an operator on the server; the audit log names their OS account."""
    try:
        return Actor("cli", getpass.getuser())
    except (KeyError, OSError):
        return Actor("cli", None)


@contextmanager
def app_context() -> Iterator[AppContext]:
    context = AppContext.from_settings(Settings())
    try:
        yield context
    finally:
        context.close()


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return moscow_rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return str(value)


def to_json(data: Any) -> str:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def emit(data: Any, as_json: bool, human: Callable[[], None] | None = None) -> None:
    """JSON with --json; otherwise the command's own human form, or tables of the same data."""
    if as_json:
        sys.stdout.write(to_json(data) + "\n")
    elif human is None:
        from amina.cli.human import render

        render(stdout, data)
    else:
        human()


def handles_domain_errors(func: Callable[P, R]) -> Callable[P, R]:
    """A domain error ends the command with exit code 1 and its code and message: as JSON on
    stdout when --json was asked for, as a sentence on stderr otherwise."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DomainError as error:
            if kwargs.get("as_json"):
                body = {"error": {"code": error.code, "message": error.message}}
                sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
            else:
                stderr.print(f"[red]error[/red] ({error.code}): {error.message}")
            raise typer.Exit(1) from None

    return wrapper


def parse_instant(raw: str, option: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise typer.BadParameter(f"{raw!r} is not an RFC 3339 instant", param_hint=option) from None
    if value.tzinfo is None:
        raise typer.BadParameter("the instant needs a UTC offset, e.g. +03:00", param_hint=option)
    return value


def cli_text(raw: str, option: str, max_length: int, *, multiline: bool = False) -> str:
    """Command-line text goes through the same rule as API text (amina.schemas.clean_text):
    NFC, no NUL or other control characters, a length limit."""
    try:
        value = str(clean_text(raw, multiline=multiline))
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=option) from None
    if len(value) > max_length:
        raise typer.BadParameter(f"at most {max_length} characters", param_hint=option)
    return value


def parse_date(raw: str, option: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise typer.BadParameter(f"{raw!r} is not a YYYY-MM-DD date", param_hint=option) from None
