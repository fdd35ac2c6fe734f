"""The impact preview of a pack change as one self-contained HTML page (no script, no
network): the counts as bar charts, the sanctions new points would reach, and examples with
their evidence made visible."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from contraband.files.atomic import AtomicFile
from contraband.report.evidence import reveal
from contraband.report.html import bars


def write_preview(target: Path, impact: dict[str, Any], as_of: str) -> None:
    """Render `impact` (the JSON form of `batch.preview.Impact`) to `target`, atomically."""
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    environment.filters["reveal"] = lambda text: Markup(reveal(text or ""))
    template = environment.from_string(
        resources.files("contraband.report").joinpath("templates/preview.html").read_text("utf-8")
    )
    changes = [
        ("newly removed", impact["newly_removed"]),
        ("newly held for review", impact["newly_review"]),
        ("released", impact["released"]),
        ("sellers affected", impact["sellers_affected"]),
    ]
    html = template.render(
        impact=impact,
        as_of=as_of,
        charts=[
            (
                "Listings newly hidden, by country",
                bars(list(impact["newly_hidden_by_country"].items())),
            ),
            ("What changes", bars(changes)),
            (
                "Sanctions the new points reach (from a clean record)",
                bars(list(impact["sanctions_from_a_clean_record"].items())),
            ),
        ],
    )
    with AtomicFile(target) as out:
        out.file.write(html.encode("utf-8"))
