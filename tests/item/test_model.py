"""The item model: training, thresholds, evidence, files, and its place in a verdict."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from contraband.cli.main import app
from contraband.decision import ItemPrediction, decide
from contraband.errors import ModelError
from contraband.item.model import (
    NONE,
    Example,
    ItemModel,
    held_out,
    listing_text,
    load_item_model,
    term_label,
    train_held_out,
)
from contraband.listing import Listing
from contraband.policy import PolicyPack
from contraband.screening import Screener
from contraband.text import key
from contraband.verdict import Action, Detector
from tests.conftest import MINI_PACK, scan_mini, verdict_dicts

DAY = dt.date(2022, 6, 1)  # VAPE-BAN (every country) is in force
#: Listings as sellers write them; the vape and cocaine lines never name a term of the
#: mini pack ("vape", "e-cigarette", "cocaine"), so only a model can read them.
WRITTEN = {
    "vapes": [
        "disposable pod device {n} puffs {f} flavour",
        "salt nic pod kit {f} {n} puffs",
        "electronic atomizer stick {f} {n} puffs refillable",
        "rechargeable puff device mesh coil {f}",
    ],
    "cocaine": [
        "{n}g peruvian flake {f} pure uncut",
        "bolivian flake {n}g {f} fishscale",
        "uncut peruvian fishscale {n}g",
    ],
    NONE: [
        "stainless steel water bottle {n}ml {f}",
        "cotton t-shirt {f} size {n}",
        "ceramic coffee mug {n}oz {f}",
        "led desk lamp {f} {n}w",
        "kids building blocks {n} pieces {f}",
        "yoga mat {n}mm {f} non slip",
    ],
}
FLAVOURS = ["mango", "mint", "grape", "cola", "ice", "peach"]
COLOURS = ["red", "blue", "green", "black", "white", "grey"]


def written(n: int, seed: int = 3) -> list[tuple[str, str, str]]:
    """(title, label, seller): `n` listings, sellers of ten listings each."""
    rng = random.Random(seed)
    labels = [label for label in WRITTEN for _ in range(len(WRITTEN[label]))]
    rows = []
    for i in range(n):
        label = labels[i % len(labels)]
        words = COLOURS if label == NONE else FLAVOURS
        title = rng.choice(WRITTEN[label]).format(n=rng.randint(1, 900), f=rng.choice(words))
        rows.append((title, label, f"S{i // 10}"))
    return rows


@pytest.fixture(scope="module")
def model() -> ItemModel:
    rows = written(600)
    trained = ItemModel.train([key(t) for t, _, _ in rows], [label for _, label, _ in rows])
    trained.calibrate([key(t) for t, label, _ in written(400, seed=9) if label == NONE], 1)
    return trained


def test_reads_an_unnamed_item_and_leaves_ordinary_goods(model: ItemModel) -> None:
    vape, coke, mug = model.predict_texts(
        [
            key("Puff device 800 puffs, watermelon, mesh coil"),
            key("Peruvian flake 5g uncut"),
            key("Blue ceramic coffee mug 12oz"),
        ]
    )
    assert vape is not None and vape.item_id == "vapes"
    assert coke is not None and coke.item_id == "cocaine"
    assert mug is None
    assert vape.probability > vape.threshold == model.threshold
    assert vape.nearest[0][0] == "vapes" and len(vape.nearest) == 2  # both items, best first
    assert set(vape.words) <= set(key("Puff device 800 puffs, watermelon, mesh coil").split())
    assert "puff" in vape.words or "puffs" in vape.words


def test_calibration_sets_the_false_alarm_rate(model: ItemModel) -> None:
    ordinary = [key(t) for t, label, _ in written(300, seed=11) if label == NONE]
    scores = model.scores(ordinary)
    at_zero = model.calibrate(ordinary, 0)  # none of these may pass: above the highest
    assert at_zero == max(scores)
    assert all(p is None for p in model.predict_texts(ordinary))
    half = model.calibrate(ordinary, 5_000)
    assert sum(s > half for s in scores) <= len(scores) // 2
    model.calibrate([key(t) for t, label, _ in written(400, seed=9) if label == NONE], 1)


def test_training_needs_both_sides() -> None:
    with pytest.raises(ModelError, match="no item"):
        ItemModel.train(["a b c"] * 5 + ["d e f"] * 5, ["vapes"] * 5 + ["cocaine"] * 5)
    with pytest.raises(ModelError, match="no item"):
        ItemModel.train(["a b c"] * 5, [NONE] * 5)


def test_held_out_groups_stay_whole_and_training_counts_them() -> None:
    rows = written(600)
    examples = [Example(key(t), label, seller) for t, label, seller in rows]
    training = train_held_out(examples, test_share=0.3, per_10k=1, seed=2)
    test_sellers = {e.group for e in examples if held_out(e.group, 2, 0.3)}
    assert 0 < len(test_sellers) < len({e.group for e in examples})
    assert training.held_out == sum(e.group in test_sellers for e in examples)
    assert training.false_alarms == 0  # 1 in 10,000 of fewer than 10,000: none allowed
    found, total = training.per_item["vapes"]
    assert total > 0 and found / total > 0.8


def test_a_model_file_round_trips_and_refuses_what_is_not_one(
    model: ItemModel, tmp_path: Path
) -> None:
    path = tmp_path / "item.skops"
    path.write_bytes(model.to_bytes())
    loaded = load_item_model(path)
    assert loaded.threshold == model.threshold
    text = key("salt nic pod kit mango 600 puffs")
    assert loaded.predict_texts([text]) == model.predict_texts([text])
    pickled = tmp_path / "item.pkl"
    pickled.write_bytes(pickle.dumps({"format": "contraband-item-model/1"}))
    for bad, message in [
        (pickled, "not a contraband item model"),
        (tmp_path / "absent.skops", "no such model file"),
        (tmp_path, "no such model file"),
    ]:
        with pytest.raises(ModelError, match=message):
            load_item_model(bad)


# --- in a verdict ---------------------------------------------------------------------------


def _prediction(item: str) -> ItemPrediction:
    return ItemPrediction(
        item_id=item, probability=0.97, threshold=0.9, nearest=((item, 0.97),), words=("puffs",)
    )


@pytest.mark.parametrize(
    ("title", "item", "action", "detectors"),
    [
        # a renamed vape under a ban in force: review, no points, the word shown in place
        ("Puff device 800 puffs mango", "vapes", Action.REVIEW, [Detector.ITEM_MODEL]),
        # the terms already name the item: the model adds nothing
        ("Disposable vape 800 puffs", "vapes", Action.REMOVE, [Detector.TERMS]),
        # the terms found another item (or anything): they speak, not the model
        ("Laser pointer with 800 puffs", "vapes", Action.ALLOW, []),
        # an item no rule concerns (no grade, certificate or measure here): nothing
        ("Puff drone 800 puffs", "drones", Action.ALLOW, []),
        # a model trained on another pack: an item this pack lacks is ignored
        ("Puff thing 800 puffs", "unknown-item", Action.ALLOW, []),
    ],
)
def test_a_prediction_sends_to_review_and_never_costs_points(
    mini_pack: PolicyPack,
    mini_screener: Screener,
    title: str,
    item: str,
    action: Action,
    detectors: list[Detector],
) -> None:
    listing = Listing(id="L1", seller_id="S1", title=title, countries=("DE",))
    hits = mini_screener.hits(listing)
    verdict = decide(listing, hits, mini_pack, DAY, item_prediction=_prediction(item))
    assert verdict.action == action
    assert [f.detector for f in verdict.findings] == detectors
    model_findings = [f for f in verdict.findings if f.detector == Detector.ITEM_MODEL]
    for finding in model_findings:
        assert finding.points == 0 and finding.action == Action.REVIEW
        assert finding.text == "puffs" and finding.span is not None
        assert title[finding.span[0] : finding.span[1]] == "puffs"
        assert finding.before == title[: finding.span[0]]
        assert "E-cigarettes" in finding.reason and "'puffs'" in finding.reason
    if model_findings:
        assert verdict.points == 0


def test_evidence_falls_back_to_the_title_when_no_word_is_written_as_read(
    mini_pack: PolicyPack,
) -> None:
    listing = Listing(id="L1", title="Ｐｕｆｆ device", countries=("DE",))
    prediction = _prediction("vapes")
    verdict = decide(listing, [], mini_pack, DAY, item_prediction=prediction)
    (finding,) = verdict.findings
    assert finding.field == "title" and finding.text == "Ｐｕｆｆ device"


@pytest.mark.parametrize(
    ("title", "label"),
    [
        ("Cocaine 5g", "cocaine"),  # prohibited: removed
        ("Vape pen kit", "vapes"),  # under a measure in force
        ("Laser pointer 5mW", "lasers"),  # no measure where it is offered: still a laser
        ("Jelly beans 5g", None),  # an ambiguous term with nothing to confirm it
        ("Cocane", None),  # a misspelling only: unsure, left out
        ("Blue ceramic mug", NONE),
        ("Skunk spray for dogs", NONE),  # an ambiguous term its context makes a namesake
        ("Skunk 5", None),  # an ambiguous term its context leaves unclear
    ],
)
def test_term_label_reads_what_the_terms_are_sure_of(
    mini_screener: Screener, title: str, label: str | None
) -> None:
    listing = Listing(id="L", title=title, countries=("DE",))
    hits = mini_screener.hits(listing)
    assert term_label(hits, mini_screener.decide(listing, hits, DAY)) == label


# --- the commands ----------------------------------------------------------------------------


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _train(listings: Path, out: Path, *extra: str) -> Result:
    """`contraband item train` of `listings` against the test pack."""
    return CliRunner().invoke(
        app,
        [
            "item",
            "train",
            "--listings",
            str(listings),
            "--out",
            str(out),
            "--policy",
            str(MINI_PACK),
            *extra,
        ],
    )


def test_item_train_then_scan_sends_a_renamed_vape_to_review(tmp_path: Path) -> None:
    rows = [
        {"id": f"T{i}", "seller_id": seller, "title": title, "item": label}
        for i, (title, label, seller) in enumerate(written(800))
    ]
    model_path = tmp_path / "item.skops"
    result = _train(_write(tmp_path / "train.jsonl", rows), model_path)
    assert result.exit_code == 0, result.output
    assert "held out" in result.output and "threshold" in result.output
    catalog = [
        {"id": "V1", "seller_id": "S1", "title": "Salt nic pod kit 600 puffs", "countries": ["US"]},
        {"id": "M1", "seller_id": "S2", "title": "Ceramic coffee mug 12oz", "countries": ["US"]},
    ]
    out = tmp_path / "verdicts.jsonl"
    result = scan_mini(
        _write(tmp_path / "catalog.jsonl", catalog), out, "--item-model", str(model_path)
    )
    assert result.exit_code == 0, result.output
    vape, mug = verdict_dicts(out)
    assert vape["action"] == "review" and vape["points"] == 0
    assert vape["findings"][0]["detector"] == "item_model"
    assert mug["action"] == "allow"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"item": "unicorns"}, "'unicorns' is no item of the policy pack"),
        ({"item": 7}, "must be an item id or none"),
    ],
)
def test_item_train_names_a_bad_label_and_where(
    tmp_path: Path, row: dict[str, object], message: str
) -> None:
    rows = [{"id": "A", "title": "mug"}, {"id": "B", "title": "vape", **row}]
    result = _train(_write(tmp_path / "train.jsonl", rows), tmp_path / "m.skops")
    assert result.exit_code != 0
    assert message in result.output and "train.jsonl:2" in result.output
    assert not (tmp_path / "m.skops").exists()


def test_listing_text_reads_disguises_as_the_terms_do() -> None:
    assert listing_text(Listing(id="1", title="Ｐｕｆｆ ｄｅｖｉｃｅ")) == key("puff device")


def test_reviewers_decisions_become_examples(
    tmp_path: Path, mini_pack: PolicyPack, mini_screener: Screener
) -> None:
    """A confirmed case teaches its item, a dismissed one "about no item"; the text is the
    window the case kept. `item train --reviews` learns from them with the listings."""
    from contraband.cli.item_cmd import _review_examples
    from contraband.ledger import Ledger
    from contraband.ledger.sql.store import SqlStore
    from contraband.ledger.store import CaseQuery

    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    at = dt.datetime(2022, 6, 2, 12, tzinfo=dt.UTC)
    listings = [
        Listing(id="L1", seller_id="S1", title="Cocane powder 5g uncut"),
        Listing(id="L2", seller_id="S2", title="Cocane brand lipstick, red"),
    ]
    with Ledger(SqlStore(db), mini_pack) as ledger:
        ledger.record([mini_screener.screen(x, DAY) for x in listings], at)
        cases = {c.listing_id: c.case_id for c in ledger.cases(CaseQuery()).cases}
        ledger.decide_case(cases["L1"], True, "sold as the drug", "ana", at)
        ledger.decide_case(cases["L2"], False, "a lipstick brand", "ana", at)
        assert [c.listing_id for c in ledger.decided_cases(page=1)] == ["L1", "L2"]
    examples = _review_examples(db, MINI_PACK)
    assert [(e.text, e.label, e.group) for e in examples] == [
        (key("Cocane powder 5g uncut"), "cocaine", "S1"),
        (key("Cocane brand lipstick, red"), NONE, "S2"),
    ]
    rows = [
        {"id": f"T{i}", "seller_id": seller, "title": title, "item": label}
        for i, (title, label, seller) in enumerate(written(400))
    ]
    result = CliRunner().invoke(
        app,
        [
            "item",
            "train",
            "--listings",
            str(_write(tmp_path / "t.jsonl", rows)),
            "--reviews",
            "--db",
            db,
            "--policy",
            str(MINI_PACK),
            "--out",
            str(tmp_path / "m.skops"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 decided review cases" in result.output
    assert load_item_model(tmp_path / "m.skops").meta["sources"][-1] == "ledger reviews"


def test_term_label_takes_an_ambiguous_term_its_context_confirms(
    mini_screener: Screener,
) -> None:
    listing = Listing(id="L", title="Jelly beans 5g", category="Health & Medical > Medicines")
    hits = mini_screener.hits(listing)
    assert term_label(hits, mini_screener.decide(listing, hits, DAY)) == "amphetamine"


@pytest.mark.parametrize("out", ["train.jsonl", "."])
def test_item_train_never_writes_over_its_input_or_a_directory(tmp_path: Path, out: str) -> None:
    rows = [
        {"id": f"T{i}", "seller_id": seller, "title": title, "item": label}
        for i, (title, label, seller) in enumerate(written(200))
    ]
    training = _write(tmp_path / "train.jsonl", rows)
    before = training.read_bytes()
    result = _train(training, tmp_path / out)
    assert result.exit_code == 2
    assert "--out" in result.output
    assert training.read_bytes() == before


def test_a_blank_label_is_no_label_and_the_terms_label_the_listing(
    tmp_path: Path, mini_screener: Screener
) -> None:
    """A CSV cell left empty says nothing: the pack's terms label that listing."""
    from contraband.cli.item_cmd import _labelled

    path = tmp_path / "train.csv"
    path.write_text(
        "id,title,item\n"
        "A,Cocaine 5g,\n"  # blank: the terms say cocaine
        "B,Blue ceramic mug,none\n"
        "C,Salt nic pod kit,vapes\n",
        encoding="utf-8",
    )
    labels = [e.label for e in _labelled(path, mini_screener, {"vapes", "cocaine"})]
    assert labels == ["cocaine", NONE, "vapes"]
