"""The HTML scan report: counts by action, item and country as charts, and the flagged
listings with their evidence highlighted. One self-contained file (no scripts, no network)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from contraband.batch.records import read_records, read_verdicts
from contraband.batch.scan import ScanSummary
from contraband.listing import Listing, decode_listing, parse_listing
from contraband.policy import PolicyPack
from contraband.report.evidence import highlight

MAX_ROWS = 400
#: Transforms that honest typing produces: not shown as disguises.
_HONEST_TRANSFORMS = {"case_folded", "accents_removed", "compatibility_form"}
_ORDER = {"remove": 0, "review": 1, "restrict": 2, "error": 3, "allow": 4}


def write_report(
    target: Path,
    listings: Path,
    verdicts: Path,
    pack: PolicyPack,
    as_of: dt.date,
    summary: ScanSummary,
) -> None:
    """Render the report of a finished scan to `target`."""
    flagged = sorted(
        _flagged(listings, verdicts, pack),
        key=lambda row: (_ORDER.get(row["action"], 9), -row["points"]),
    )
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(
        resources.files("contraband.report").joinpath("templates/report.html").read_text("utf-8")
    )
    html = template.render(
        pack=pack,
        as_of=as_of.isoformat(),
        summary=summary,
        total=summary.listings,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        charts=[
            ("Listings by action", _bars(summary.by_action.most_common())),
            ("Findings by kind", _bars(summary.by_kind.most_common())),
            ("Listings by item", _bars(summary.by_item.most_common(15))),
            ("Listings hidden, by country", _bars(summary.by_country.most_common(15))),
            (
                "Disguises undone",
                _bars(
                    [
                        (name, count)
                        for name, count in summary.by_transform.most_common()
                        if name not in _HONEST_TRANSFORMS
                    ][:12]
                ),
            ),
        ],
        rows=flagged[:MAX_ROWS],
        more=max(0, len(flagged) - MAX_ROWS),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")


def _bars(counts: list[tuple[str, int]]) -> list[dict[str, Any]]:
    top = max((count for _, count in counts), default=1) or 1
    return [
        {"label": label, "count": count, "width": round(100 * count / top, 1)}
        for label, count in counts
    ]


def _listings(path: Path) -> Iterator[Listing | None]:
    for record in read_records(path):
        try:
            if record.raw is not None:
                yield decode_listing(record.raw)
            elif record.data is not None:
                yield parse_listing(record.data)
            else:
                yield None
        except Exception:
            yield None


def _flagged(listings: Path, verdicts: Path, pack: PolicyPack) -> Iterator[dict[str, Any]]:
    for listing, verdict in zip(_listings(listings), read_verdicts(verdicts), strict=False):
        if verdict["action"] == "allow" and not verdict.get("findings"):
            continue
        texts = dict(listing.fields()) if listing else {}
        findings = []
        for finding in verdict.get("findings") or []:
            text = texts.get(finding.get("field") or "", "")
            item = pack.items_by_id.get(finding.get("item_id") or "")
            findings.append(
                {
                    **finding,
                    "item_name": item.name if item else "",
                    "evidence": highlight(text, tuple(finding["span"]))
                    if finding.get("span")
                    else "",
                }
            )
        yield {
            "id": verdict["listing_id"],
            "seller": verdict.get("seller_id") or "",
            "action": verdict["action"],
            "points": verdict.get("points") or 0,
            "circumvention": verdict.get("circumvention"),
            "blocked": verdict.get("blocked_countries") or [],
            "title": listing.title if listing else "",
            "category": listing.category if listing else "",
            "error": verdict.get("error"),
            "findings": findings,
        }
