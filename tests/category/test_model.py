"""The category model: training, prediction, files (versioned and checked), use in scans."""

from __future__ import annotations

import json
import os
import pickle
import random
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contraband.category.model import CategoryModel, load_model
from contraband.cli.main import app
from contraband.errors import ModelError
from contraband.listing import Listing
from contraband.text import key
from tests.conftest import scan_mini

PRODUCTS = {
    "Apparel > Shirts": ["cotton shirt {c}", "linen shirt {c} slim fit", "{c} polo shirt men"],
    "Home & Garden > Kitchen": ["frying pan {c} nonstick", "{c} ceramic mug", "kitchen knife {c}"],
    "Toys & Hobbies > Models": [
        "die-cast car model {c}",
        "{c} building blocks set",
        "rc helicopter {c} toy",
    ],
}
COLORS = ["red", "blue", "green", "black", "white", "grey", "navy", "pink"]


def labelled(n: int = 240, seed: int = 1) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        category = list(PRODUCTS)[i % 3]
        title = rng.choice(PRODUCTS[category]).format(c=rng.choice(COLORS))
        rows.append({"id": f"T{i}", "title": title, "category": category})
    return rows


@pytest.fixture(scope="module")
def model() -> CategoryModel:
    rows = labelled()
    return CategoryModel.train(
        [key(str(r["title"])) for r in rows], [str(r["category"]) for r in rows], depth=2
    )


def test_predicts_where_a_listing_belongs(model: CategoryModel) -> None:
    shirt = Listing(id="1", title="Blue cotton shirt", category="Apparel > Shirts")
    misfiled = Listing(id="2", title="Red ceramic mug", category="Toys & Hobbies > Models")
    right, wrong = model.predict_listings([shirt, misfiled])
    assert right is not None and right.top_level_matches
    assert wrong is not None and not wrong.top_level_matches
    assert wrong.path == "home & garden > kitchen" and wrong.probability > 0.5
    assert model.predict_listing(Listing(id="3", title="mug")) is None  # no declared category


def test_the_prediction_says_how_far_the_declared_category_is(model: CategoryModel) -> None:
    """The margin: how much higher the words score in the best top level than in the declared
    one (0 where they agree); the declared top level's probability beside the best's."""
    shirt = Listing(id="1", title="Blue cotton shirt", category="Apparel > Shirts")
    misfiled = Listing(id="2", title="Red ceramic mug", category="Toys & Hobbies > Models")
    unknown = Listing(id="3", title="Red ceramic mug", category="Books > Novels")
    right, wrong, elsewhere = model.predict_listings([shirt, misfiled, unknown])
    assert right is not None and right.margin == 0 and right.declared_probability > 0.5
    assert wrong is not None and wrong.margin > 0 and wrong.declared_probability < 0.5
    assert elsewhere is not None and elsewhere.top_level_matches and elsewhere.margin == 0


def test_a_wide_margin_flags_a_listing_the_model_is_unsure_of() -> None:
    """A listing of a brand the model never saw: flat probabilities, a clear ranking. The
    pack's margin flags it for review (no points), and the finding says why."""
    import datetime as dt

    from contraband.decision import CategoryPrediction, decide
    from contraband.policy import load_pack
    from tests.conftest import MINI_PACK

    pack = load_pack(MINI_PACK)
    listing = Listing(id="1", seller_id="S", title="Zorblax 3000", category="Toys & Hobbies")

    def verdict(probability: float, margin: float) -> list[str]:
        prediction = CategoryPrediction(
            path="home & garden > kitchen",
            probability=probability,
            top_level_matches=False,
            declared_probability=0.01,
            margin=margin,
        )
        found = decide(listing, [], pack, dt.date(2020, 3, 1), prediction=prediction)
        assert found.points == 0
        return [f.reason for f in found.findings]

    assert verdict(0.2, pack.rules.misplacement_min_margin - 0.5) == []
    (reason,) = verdict(0.2, pack.rules.misplacement_min_margin + 0.5)
    assert "score 3.50 higher there" in reason
    (reason,) = verdict(0.95, 0.5)  # confident: the probability decides
    assert "p=0.95 there" in reason


@pytest.mark.parametrize(
    ("min_margin", "margin", "flagged"),
    [
        (None, 2.5, False),  # the pack's margin (3.0)
        (2.0, 2.5, True),  # calibrated lower for the declared top level
        (4.0, 3.5, False),  # calibrated higher
    ],
)
def test_a_calibrated_margin_replaces_the_packs_for_its_top_level(
    min_margin: float | None, margin: float, flagged: bool
) -> None:
    import datetime as dt

    from contraband.decision import CategoryPrediction, decide
    from contraband.policy import load_pack
    from tests.conftest import MINI_PACK

    listing = Listing(id="1", seller_id="S", title="Zorblax 3000", category="Toys & Hobbies")
    prediction = CategoryPrediction(
        path="home & garden > kitchen",
        probability=0.2,
        top_level_matches=False,
        margin=margin,
        min_margin=min_margin,
    )
    found = decide(listing, [], load_pack(MINI_PACK), dt.date(2020, 3, 1), prediction=prediction)
    assert bool(found.findings) == flagged
    if flagged and min_margin is not None:
        assert f"calibrated for its declared top level: {min_margin:g}" in found.findings[0].reason


def test_margins_are_calibrated_per_top_level_and_kept_in_the_file(
    model: CategoryModel, tmp_path: Path
) -> None:
    held_out = [
        Listing(id=f"H{i}", title=str(row["title"]), category=str(row["category"]))
        for i, row in enumerate(labelled(n=300, seed=7))
    ]
    margins = model.calibrate_margins(held_out, precision=0.9)
    assert margins and set(margins) <= {"apparel", "home & garden", "toys & hobbies"}
    mug = Listing(id="m", title="Red ceramic mug", category="Apparel > Shirts")
    (prediction,) = model.predict_listings([mug])
    assert prediction is not None and prediction.min_margin == margins.get("apparel")
    path = tmp_path / "m.skops"
    path.write_bytes(model.to_bytes())
    assert load_model(path).margins == margins
    model.margins = {}  # the module's model is shared


def test_no_margin_is_calibrated_from_too_few_misfiled_listings(model: CategoryModel) -> None:
    few = [Listing(id="1", title="Blue cotton shirt", category="Apparel > Shirts")]
    assert model.calibrate_margins(few) == {}


def test_save_load_and_refuse_other_versions(model: CategoryModel, tmp_path: Path) -> None:
    import skops.io as sio

    path = tmp_path / "m.skops"
    path.write_bytes(model.to_bytes())
    shirt = Listing(id="1", title="navy linen shirt", category="Apparel")
    assert load_model(path).predict_listing(shirt) == model.predict_listing(shirt)
    old = {"format": "contraband-category-model/1", "depth": 2, "meta": {}, "pipeline": None}
    path.write_bytes(sio.dumps(old))
    with pytest.raises(ModelError, match="retrain"):
        load_model(path)
    path.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a contraband category model"):
        load_model(path)
    with pytest.raises(ModelError, match="no such model file"):
        load_model(tmp_path / "missing.skops")


class _Payload:
    """Runs code when unpickled: what a crafted model file would carry."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch " + str(MARKER),))


MARKER = Path(tempfile.gettempdir()) / "contraband-model-payload-ran"


@pytest.mark.parametrize("format", ["pickle", "skops"])
def test_a_crafted_model_file_runs_nothing(tmp_path: Path, format: str) -> None:
    """A pickle (the old format) or a skops file naming a foreign type is refused unread."""
    import skops.io as sio

    MARKER.unlink(missing_ok=True)
    path = tmp_path / "evil.skops"
    if format == "pickle":
        path.write_bytes(pickle.dumps({"format": "contraband-category-model/1", "x": _Payload()}))
    else:
        path.write_bytes(sio.dumps({"format": "contraband-category-model/2", "x": _Payload()}))
    with pytest.raises(ModelError, match="not a contraband category model"):
        load_model(path)
    assert not MARKER.exists()


def test_training_needs_two_categories() -> None:
    with pytest.raises(ModelError, match="two categories"):
        CategoryModel.train(["a b"] * 10, ["Apparel"] * 10)


def test_train_command_and_scan_with_and_without_a_model(tmp_path: Path) -> None:
    runner = CliRunner()
    catalog = tmp_path / "labelled.jsonl"
    catalog.write_text("\n".join(json.dumps(r) for r in labelled()) + "\n")
    model_path = tmp_path / "model.skops"
    result = runner.invoke(
        app, ["category", "train", "--listings", str(catalog), "--out", str(model_path)]
    )
    assert result.exit_code == 0, result.output
    assert "held-out accuracy" in result.output and model_path.exists()
    listings = tmp_path / "scan.jsonl"
    listings.write_text(
        json.dumps({"id": "X", "title": "Black ceramic mug", "category": "Apparel > Shirts"}) + "\n"
    )
    for with_model in (False, True):
        out = tmp_path / f"v{with_model}.jsonl"
        extra = ["--category-model", str(model_path)] if with_model else []
        result = scan_mini(listings, out, *extra)
        assert result.exit_code == 0, result.output
        verdict = json.loads(out.read_text())
        kinds = [f["kind"] for f in verdict["findings"]]
        if with_model:
            assert kinds == ["misplaced_category"] and verdict["action"] == "review"
            assert verdict["points"] == 0
        else:
            assert kinds == [] and verdict["action"] == "allow"
    bad = scan_mini(
        listings, tmp_path / "x.jsonl", "--category-model", str(tmp_path / "nope.skops")
    )
    assert bad.exit_code == 2 and "no such model file" in bad.output


@pytest.mark.parametrize("calibrate", [False, True])
def test_the_train_command_calibrates_margins_only_when_asked(
    tmp_path: Path, calibrate: bool
) -> None:
    catalog = tmp_path / "labelled.jsonl"
    catalog.write_text("\n".join(json.dumps(r) for r in labelled(n=600)) + "\n")
    model_path = tmp_path / "model.skops"
    extra = ["--calibrate-margins"] if calibrate else []
    result = CliRunner().invoke(
        app, ["category", "train", "--listings", str(catalog), "--out", str(model_path), *extra]
    )
    assert result.exit_code == 0, result.output
    assert ("misplacement margins" in result.output) == calibrate
    assert bool(load_model(model_path).margins) == calibrate
