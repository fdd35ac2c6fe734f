"""`contraband category train`: learn where listings belong from labelled listings."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from contraband.cli.common import command, fail, out, refuse_clobbering
from contraband.errors import ContrabandError
from contraband.files.atomic import AtomicFile

app = typer.Typer(help="Category models.", no_args_is_help=True)


@command(app, "train")
def train(
    listings: Path = typer.Option(..., "--listings", help="Listings with `category` filled in"),
    out_path: Path = typer.Option(..., "--out", help="Model file to write"),
    depth: int = typer.Option(2, "--depth", min=1, max=6, help="Category levels to learn"),
    test_share: float = typer.Option(0.2, "--test-share", min=0.05, max=0.5),
    kind: str = typer.Option("linear", "--kind", help="linear (default) or naive_bayes"),
    seed: int = typer.Option(0, "--seed"),
    calibrate: bool = typer.Option(
        False,
        "--calibrate-margins",
        help="Calibrate the misplacement margin per top level on the held-out share (more "
        "recall on large catalogs, less precision on small ones: bench/category_generalisation.py)",
    ),
) -> None:
    """Train on most listings, report held-out top-1/top-3 accuracy per level, save the model."""
    from contraband.category.model import CategoryModel, listing_text, split_train_test

    refuse_clobbering(listings, {"--out": out_path})
    from contraband.files.listings import read_records
    from contraband.listing import Listing, decode_listing, parse_listing

    texts: list[str] = []
    paths: list[str] = []
    labelled: list[Listing] = []
    skipped = 0
    for record in read_records(listings):
        try:
            listing = (
                decode_listing(record.raw) if record.raw is not None else parse_listing(record.data)
            )
        except ContrabandError:
            skipped += 1
            continue
        if listing.category:
            texts.append(listing_text(listing))
            paths.append(listing.category)
            labelled.append(listing)
        else:
            skipped += 1
    if len(texts) < 20:
        fail(f"{listings}: only {len(texts)} labelled listings; need at least 20")
    train_idx, test_idx = split_train_test(len(texts), test_share, seed)
    started = time.perf_counter()
    model = CategoryModel.train(
        [texts[i] for i in train_idx], [paths[i] for i in train_idx], depth=depth, kind=kind
    )
    seconds = time.perf_counter() - started
    evaluation = model.evaluate([texts[i] for i in test_idx], [paths[i] for i in test_idx])
    margins = (
        model.calibrate_margins([labelled[i] for i in test_idx], seed=seed) if calibrate else {}
    )
    model.meta.update(
        {
            "source": str(listings),
            "test_examples": evaluation.examples,
            "top1": evaluation.top1,
            "top3": evaluation.top3,
        }
    )
    with AtomicFile(out_path) as target:
        target.file.write(model.to_bytes())
    table = Table(title=f"held-out accuracy on {evaluation.examples:,} listings", show_edge=False)
    for column in ("level", "top-1", "top-3"):
        table.add_column(column)
    for level in sorted(evaluation.top1):
        table.add_row(str(level), f"{evaluation.top1[level]:.1%}", f"{evaluation.top3[level]:.1%}")
    out.print(table)
    if calibrate and margins:
        out.print(
            "misplacement margins calibrated on the held-out listings (precision "
            f"{model.meta['calibration']['precision']:.0%}): "
            + ", ".join(f"{escape(top)} {m:g}" for top, m in sorted(margins.items()))
        )
    elif calibrate:
        out.print("misplacement margins: the pack's rule (too few held-out listings to calibrate)")
    out.print(
        f"trained on {len(train_idx):,} listings ({model.meta['categories']} categories) in "
        f"{seconds:.1f} s; skipped {skipped:,} unlabelled or unreadable; model: {out_path}"
    )
