"""Shared CLI plumbing: consoles, error exits, date parsing, loading a pack."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from contraband.errors import ContrabandError
from contraband.policy import PolicyPack, load_pack

out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)


def fail(message: str, status: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(status)


def parse_date(value: str, option: str) -> dt.date:
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


def pack_or_exit(directory: Path) -> PolicyPack:
    try:
        return load_pack(directory)
    except ContrabandError as error:
        fail(str(error))


def interactive() -> bool:
    return sys.stderr.isatty()
