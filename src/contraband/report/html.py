"""The HTML scan report: counts by action, item and country as charts, and the flagged
listings with their evidence highlighted. One self-contained file (no scripts, no network)."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import msgspec

from contraband.files.atomic import AtomicFile
from contraband.policy import PolicyPack
from contraband.report.evidence import highlight
from contraband.summary import FlaggedListing, ScanSummary

#: Flagged listings shown; a scan that writes a report keeps this many (the most serious).
MAX_ROWS = 400
#: Transforms that honest typing produces: not shown as disguises.
_HONEST_TRANSFORMS = {"case_folded", "accents_removed", "compatibility_form"}


def write_report(target: Path, pack: PolicyPack, as_of: dt.date, summary: ScanSummary) -> None:
    """Render the report of a finished scan to `target`, from the scan's own summary (a scan
    run with `keep_flagged=MAX_ROWS`)."""
    flagged = summary.flagged[:MAX_ROWS]
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
            ("Listings by action", bars(summary.by_action.most_common())),
            ("Findings by kind", bars(summary.by_kind.most_common())),
            ("Findings by detector", bars(summary.by_detector.most_common())),
            ("Listings by item", bars(summary.by_item.most_common(15))),
            ("Listings hidden, by country", bars(summary.by_country.most_common(15))),
            (
                "Disguises undone",
                bars(
                    [
                        (name, count)
                        for name, count in summary.by_transform.most_common()
                        if name not in _HONEST_TRANSFORMS
                    ][:12]
                ),
            ),
        ],
        rows=[_row(f, pack) for f in flagged],
        more=max(0, summary.flagged_total - len(flagged)),
    )
    with AtomicFile(target) as out:
        out.file.write(html.encode("utf-8", "surrogateescape"))


def bars(counts: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """Bar rows for a chart: each count with its width as a share of the largest."""
    top = max((count for _, count in counts), default=1) or 1
    return [
        {"label": label, "count": count, "width": round(100 * count / top, 1)}
        for label, count in counts
    ]


def _row(flagged: FlaggedListing, pack: PolicyPack) -> dict[str, Any]:
    """What the template shows of one flagged listing: its verdict, text and evidence."""
    verdict = flagged.verdict
    findings = []
    for finding in verdict.findings:
        item = pack.items_by_id.get(finding.item_id or "")
        text = flagged.texts.get(finding.field or "", "")
        findings.append(
            {
                **msgspec.structs.asdict(finding),
                "item_name": item.name if item else "",
                "evidence": highlight(text, finding.span) if finding.span else "",
            }
        )
    return {
        "id": verdict.listing_id,
        "seller": verdict.seller_id,
        "action": verdict.action.value,
        "points": verdict.points,
        "circumvention": verdict.circumvention,
        "blocked": list(verdict.blocked_countries),
        "title": flagged.title,
        "category": flagged.category,
        "error": verdict.error,
        "findings": findings,
    }
