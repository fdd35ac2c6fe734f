"""Verdict lines as the ledger reads them: validated, with errors naming line and field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import msgspec

from contraband.errors import InputError

NonEmpty = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class VerdictLine(msgspec.Struct, kw_only=True):
    listing_id: NonEmpty
    seller_id: NonEmpty
    content_hash: str
    action: str
    points: float = 0.0
    findings: list[dict[str, Any]] = []
    policy_version: str = ""


_DECODER = msgspec.json.Decoder(VerdictLine)


def read_verdict_lines(path: Path) -> Iterator[VerdictLine]:
    """Every verdict of a JSONL file; InputError at the first malformed line."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                verdict = _DECODER.decode(line)
            except msgspec.ValidationError as error:
                if b'"action":"error"' in line or b'"action": "error"' in line:
                    continue  # an unreadable listing: nothing to record
                raise InputError(f"{path.name}:{number}: {error}") from None
            except msgspec.DecodeError as error:
                raise InputError(f"{path.name}:{number}: not valid JSON ({error})") from None
            for i, finding in enumerate(verdict.findings):
                points = finding.get("points", 0)
                if not isinstance(points, int | float) or points < 0 or "kind" not in finding:
                    raise InputError(
                        f"{path.name}:{number}: findings[{i}] needs a kind and non-negative points"
                    )
            yield verdict


def check_verdict_file(path: Path) -> int:
    """Validate the whole file before anything is written; returns the verdict count."""
    return sum(1 for _ in read_verdict_lines(path))
