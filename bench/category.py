"""Category model and misplacement flag on real retail listings (Flipkart), and item-based
misplacement on darknet titles planted into retail categories (Agora).

    python bench/category.py [--seed 5]

1. Train on 80% of Flipkart listings (title + start of description), test on 20%: top-1 and
   top-3 accuracy at levels 1 and 2, for the linear model and the naive-Bayes alternative.
2. Swap the declared top-level category of half the test listings to another one; flag a
   listing when the model puts another top level first with the pack's probability, or its
   words score at least m higher there than in the declared one (`misplacement_min_margin`).
   Precision and recall at the pack's margin and over a sweep, and the time the model adds
   per listing.
3. Plant Agora drug and weapon titles into retail categories of the default pack's taxonomy
   and count item-based misplacement findings.
Prints tables and writes bench/results/category.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, SHARED, table, write_results

from contraband.category.model import CategoryModel, cut, split_train_test, top_level
from contraband.listing import Listing
from contraband.policy import load_pack
from contraband.screening import Screener

DATA = SHARED / "data"


def flipkart() -> tuple[list[Listing], list[str]]:
    listings, paths = [], []
    path = DATA / "benign_flipkart" / "flipkart_products_dev.csv"
    with path.open(encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            levels = [row["cat_l1"], row["cat_l2"]]
            if not all(level.strip() for level in levels):
                continue
            category = " > ".join(level.strip() for level in levels)
            listings.append(
                Listing(
                    id=f"F{i}",
                    title=row["product_name"],
                    description=row["description"] or "",
                    category=category,
                )
            )
            paths.append(category)
    return listings, paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    listings, paths = flipkart()
    from contraband.category.model import listing_text

    texts = [listing_text(listing) for listing in listings]
    train, test = split_train_test(len(texts), 0.2, args.seed)
    results: dict[str, object] = {}
    rows = []
    models = {}
    for kind in ("linear", "naive_bayes"):
        start = time.perf_counter()
        model = CategoryModel.train(
            [texts[i] for i in train], [paths[i] for i in train], depth=2, kind=kind
        )
        train_s = time.perf_counter() - start
        known = set(model.pipeline.classes_)
        scored = [i for i in test if cut(paths[i], 2) in known]
        evaluation = model.evaluate([texts[i] for i in scored], [paths[i] for i in scored])
        start = time.perf_counter()
        model.predict_listings([listings[i] for i in test])
        per_listing_ms = (time.perf_counter() - start) / len(test) * 1000
        models[kind] = model
        results[kind] = {
            "train_s": train_s,
            "top1": evaluation.top1,
            "top3": evaluation.top3,
            "predict_ms_per_listing": per_listing_ms,
            "test": len(scored),
        }
        rows.append(
            (
                kind,
                f"{evaluation.top1[1]:.1%}",
                f"{evaluation.top3[1]:.1%}",
                f"{evaluation.top1[2]:.1%}",
                f"{evaluation.top3[2]:.1%}",
                f"{train_s:.1f}",
                f"{per_listing_ms:.3f}",
            )
        )
    print(
        table(
            rows, ("model", "L1 top-1", "L1 top-3", "L2 top-1", "L2 top-3", "train s", "ms/listing")
        )
    )

    model = models["linear"]
    tops = sorted({top_level(p) for p in model.pipeline.classes_})
    swapped: list[bool] = []
    probe: list[Listing] = []
    for i in test:
        listing = listings[i]
        if top_level(listing.category) not in tops:
            continue
        swap = rng.random() < 0.5
        category = listing.category
        if swap:
            category = rng.choice([t for t in tops if t != top_level(category)]).title()
        probe.append(
            Listing(
                id=listing.id,
                title=listing.title,
                description=listing.description,
                category=category,
            )
        )
        swapped.append(swap)
    start = time.perf_counter()
    predictions = model.predict_listings(probe)
    added_ms = (time.perf_counter() - start) / len(probe) * 1000
    pack = load_pack(ROOT / "policies" / "default")
    sweep = []
    for threshold in (0.5, 1.0, 1.5, 2.0, 2.25, 2.5, 3.0):
        flagged = [
            p is not None and not p.top_level_matches and p.margin >= threshold for p in predictions
        ]
        tp = sum(f and s for f, s in zip(flagged, swapped, strict=True))
        fp = sum(f and not s for f, s in zip(flagged, swapped, strict=True))
        fn = sum(s and not f for f, s in zip(flagged, swapped, strict=True))
        precision = tp / max(tp + fp, 1)
        recall = tp / max(tp + fn, 1)
        sweep.append({"threshold": threshold, "precision": precision, "recall": recall})
    print(
        f"\nswapped top-level categories ({sum(swapped)} of {len(probe)} test listings); "
        f"model time {added_ms:.3f} ms per listing (batched, includes canonical text)"
    )
    print(
        table(
            [
                (
                    f"{s['threshold']:.2f}"
                    + (" (pack)" if s["threshold"] == pack.rules.misplacement_min_margin else ""),
                    f"{s['precision']:.3f}",
                    f"{s['recall']:.3f}",
                )
                for s in sweep
            ],
            ("margin", "precision", "recall"),
        )
    )

    screener = Screener(pack)
    retail = [c.path for c in pack.categories if not c.special_control and c.path.count(">") == 1][
        :12
    ]
    planted = caught_any = caught_misplaced = 0
    with (DATA / "prohibited_agora_2014" / "agora_2014_dev.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["cat"] not in ("Drugs", "Weapons"):
                continue
            planted += 1
            listing = Listing(id=row["row_id"], title=row["title"], category=rng.choice(retail))
            verdict = screener.screen(listing, dt.date(2022, 4, 20))
            caught_any += bool(verdict.findings)
            caught_misplaced += any(f.kind.value == "misplaced_category" for f in verdict.findings)
    print(
        f"\nAgora drug and weapon titles planted into retail categories: {planted}; "
        f"flagged: {caught_any} ({caught_any / planted:.0%}); item-based misplacement "
        f"findings: {caught_misplaced} ({caught_misplaced / planted:.0%})"
    )
    payload = {
        **results,
        "misplacement_sweep": sweep,
        "added_ms_per_listing": added_ms,
        "agora_planted": planted,
        "agora_flagged": caught_any,
        "agora_misplaced": caught_misplaced,
    }
    print(f"wrote {write_results('category', payload)}")


if __name__ == "__main__":
    main()
