"""Shared CLI plumbing: consoles, the one place errors become exit statuses, date parsing,
settings and the pack."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from contraband.errors import ContrabandError
from contraband.files.atomic import check_writable
from contraband.policy import PolicyPack, load_pack
from contraband.settings import Settings, settings

out = Console(soft_wrap=True, emoji=False, highlight=False)
err = Console(stderr=True, soft_wrap=True, emoji=False, highlight=False)

P = ParamSpec("P")
R = TypeVar("R")

DB_HELP = "Ledger database URL (default: $CONTRABAND_DATABASE_URL or sqlite:///contraband.db)"
POLICY_HELP = "Policy pack directory (default: $CONTRABAND_POLICY_DIR or the bundled pack)"


def fail(message: str, status: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(status)


def edge(function: Callable[P, R]) -> Callable[P, R]:
    """A command whose contraband errors become a message and the error's exit status: the
    one mapping from the exception tree to the terminal."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except ContrabandError as error:
            fail(str(error), error.exit_status)
        except OSError as error:  # a full disk, a vanished file: the system's own words
            fail(f"{error.filename or 'I/O'}: {error.strerror or error}", 2)

    return run


def command(
    app: typer.Typer, name: str | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register `function` as a command of `app`, behind `edge`."""

    def register(function: Callable[P, R]) -> Callable[P, R]:
        wrapped = edge(function)
        app.command(name)(wrapped)
        return wrapped

    return register


def parse_date(value: str | None, option: str) -> dt.date:
    """A YYYY-MM-DD option; today (UTC) when not given."""
    if value is None:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} expects a date as YYYY-MM-DD, got {value!r}")


def parse_datetime(value: str | None, option: str) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option} expects an ISO 8601 date-time, got {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def current_settings(db: str | None = None, policy: Path | None = None) -> Settings:
    """The settings, with the command's own options first."""
    return settings(database_url=db, policy_dir=policy)


def load_policy(config: Settings) -> PolicyPack:
    return load_pack(config.policy_dir)


def interactive() -> bool:
    return sys.stderr.isatty()


def refuse_clobbering(source: Path, outputs: dict[str, Path | None]) -> None:
    """Outputs must not be the input, each other, or directories: checked before any work."""
    seen = {source.resolve(): "the input"}
    for option, path in outputs.items():
        if path is None:
            continue
        check_writable(path, option)
        resolved = path.resolve()
        if resolved in seen:
            fail(f"{option} {path} is {seen[resolved]}: it would be overwritten")
        seen[resolved] = option
