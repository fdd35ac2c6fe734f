"""`contraband item train`: learn which item a listing is about, for listings that name no term."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import typer
from rich.table import Table

from contraband.cli.common import (
    DB_HELP,
    POLICY_HELP,
    command,
    current_settings,
    err,
    fail,
    interactive,
    load_policy,
    out,
    refuse_clobbering,
)
from contraband.errors import ContrabandError, InputError
from contraband.files.atomic import AtomicFile

app = typer.Typer(help="Item models (listings that name no term).", no_args_is_help=True)

#: Values of a listing's `item` field that mean "about no policy item". A blank one (a CSV
#: cell left empty) is no label: the terms label that listing.
NO_ITEM = frozenset({"none", "-"})


@command(app, "train")
def train(
    listings: list[Path] = typer.Option(
        ...,
        "--listings",
        help="Listings to learn from (repeatable). An `item` field labels a listing (an item id, "
        "or none); unlabelled (or blank) listings are labelled by the pack's term findings",
    ),
    out_path: Path = typer.Option(..., "--out", help="Model file to write"),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
    reviews: bool = typer.Option(
        False, "--reviews", help="Also learn from the ledger's decided review cases"
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    test_share: float = typer.Option(0.2, "--test-share", min=0.05, max=0.5),
    false_alarms: float = typer.Option(
        1.0,
        "--max-false-alarms",
        min=0.0,
        help="Held-out listings about no item the model may flag, per 10,000 (sets its threshold)",
    ),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Train on the sellers not held out, set the threshold on the held-out ones, report what
    it finds there, and save the model (skops: loading it runs no code)."""
    from contraband.item.model import train_held_out
    from contraband.screening import Screener

    for path in listings:
        refuse_clobbering(path, {"--out": out_path})

    pack = load_policy(current_settings(db, policy))
    screener = Screener(pack)
    examples = []
    skipped = unsure = 0
    with _Status() as status:
        for path in listings:
            for example in _labelled(path, screener, set(pack.items_by_id)):
                if example is None:
                    skipped += 1
                elif example is UNSURE:
                    unsure += 1
                else:
                    examples.append(example)
                status.every(f"labelling {path.name}", len(examples) + skipped + unsure)
        if reviews:
            examples.extend(_review_examples(db, policy))
        if len(examples) < 20:
            fail(f"only {len(examples)} readable listings; need at least 20")
        status.say(f"training on {len(examples):,} listings")
        started = time.perf_counter()
        training = train_held_out(examples, test_share=test_share, per_10k=false_alarms, seed=seed)
        seconds = time.perf_counter() - started
    model = training.model
    model.meta["sources"] = [str(p) for p in listings] + (["ledger reviews"] if reviews else [])
    with AtomicFile(out_path) as target:
        target.file.write(model.to_bytes())
    _print(training, len(examples), skipped, unsure, seconds, out_path)


class _Status:
    """What a long training is doing, on the terminal's status line (nothing when stderr is
    not a terminal)."""

    def __init__(self) -> None:
        self._status: Any = err.status("") if interactive() else None

    def __enter__(self) -> _Status:
        if self._status is not None:
            self._status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.__exit__(*exc)

    def say(self, text: str) -> None:
        if self._status is not None:
            self._status.update(text)

    def every(self, doing: str, count: int, step: int = 1000) -> None:
        if count % step == 0:
            self.say(f"{doing}: {count:,} listings")


#: A listing the terms are unsure of (a misspelling, an unclear sense) and no label names.
UNSURE = "unsure"


def _labelled(path: Path, screener: Any, items: set[str]) -> Iterator[Any]:
    """The examples of one listing file: None for a record that cannot be read, UNSURE for
    one neither labelled nor clearly named or clean."""
    import datetime as dt

    from contraband.files.listings import read_records
    from contraband.item.model import NONE, Example, listing_text, term_label
    from contraband.listing import parse_listing

    today = dt.date.today()
    for record in read_records(path):
        try:  # decoded once: the listing and its label come from the same record
            data = orjson.loads(record.raw) if record.raw is not None else record.data
            listing = parse_listing(data)
        except (ContrabandError, orjson.JSONDecodeError):
            yield None
            continue
        hits = screener.hits(listing)
        by_terms = term_label(hits, screener.decide(listing, hits, today))
        given = data.get("item") if isinstance(data, dict) else None
        if isinstance(given, str) and not given.strip():
            given = None
        label = _given_label(given, record.where, items) if given is not None else by_terms
        if label is None:
            yield UNSURE
            continue
        yield Example(
            text=listing_text(listing),
            label=label,
            group=listing.seller_id or listing.id,
            term_free=label != NONE and by_terms != label,
        )


def _given_label(given: object, where: str, items: set[str]) -> str:
    """A listing's `item` field as a label; InputError naming where if it is none."""
    from contraband.item.model import NONE

    if not isinstance(given, str):
        raise InputError(f"{where}: `item` must be an item id or none")
    if given.strip().casefold() in NO_ITEM:
        return NONE
    if given.strip() in items:
        return given.strip()
    raise InputError(f"{where}: `item` {given[:60]!r} is no item of the policy pack")


def _review_examples(db: str | None, policy: Path | None) -> list[Any]:
    """Decided review cases as examples: a confirmation teaches its item, a dismissal that
    the text is about no item. The text is what the case kept around its evidence."""
    from contraband.cli.ledger_cmd import open_ledger
    from contraband.item.model import NONE, Example
    from contraband.text import key

    examples = []
    with open_ledger(db, policy, create=False) as ledger:
        for case in ledger.decided_cases():
            if case.item_id is None:
                continue
            finding = case.finding
            text = "".join(str(finding.get(k) or "") for k in ("before", "text", "after"))
            if not text.strip():
                continue
            examples.append(
                Example(
                    text=key(text),
                    label=case.item_id if case.status == "confirmed" else NONE,
                    group=case.seller_id,
                    term_free=case.status == "confirmed" and finding.get("detector") != "terms",
                )
            )
    out.print(f"{len(examples):,} decided review cases")
    return examples


def _print(
    training: Any, examples: int, skipped: int, unsure: int, seconds: float, path: Path
) -> None:
    model = training.model
    table = Table(
        title=f"held out: {training.held_out:,} listings of sellers never trained on",
        show_edge=False,
    )
    for column in ("item", "held out", "found"):
        table.add_column(column)
    for item, (found, total) in training.per_item.items():
        table.add_row(item, f"{total:,}", f"{found / total:.0%}" if total else "-")
    out.print(table)
    free_found, free_total = training.term_free
    if free_total:
        out.print(
            f"listings labelled with an item their terms do not name: {free_found} of "
            f"{free_total} flagged ({free_found / free_total:.0%})"
        )
    out.print(
        f"threshold {model.threshold:.3f}: {training.false_alarms} false alarms in "
        f"{training.held_out_none:,} held-out listings about no item"
    )
    out.print(
        f"trained on {model.meta['examples']:,} listings ({len(model.meta['items'])} items) in "
        f"{seconds:.1f} s; {examples:,} examples, {unsure:,} left out (the terms unsure, no "
        f"label), {skipped:,} unreadable; model: {path}"
    )
