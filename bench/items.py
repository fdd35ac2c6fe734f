"""Listings that name no term (issue #15, part 2): how far a text model gets, before one is built.

    python bench/items.py [--seed 5]

A feasibility measure, not a product figure: contraband has no item model yet. Darknet
titles (Agora 2014, drugs and weapons) are the positives, split by vendor; the benign titles
of the three retail catalogs in ../shared/data are the negatives, split by brand. A
classifier of the category model's kind (TF-IDF word and character n-grams of the canonical
text, linear) is trained on the training halves; on the test halves it reports the recall of
the positives the default pack's terms miss, at the score threshold that keeps false alarms
on the benign test titles at or under 1 per 10,000 (and at 10 per 10,000).
Also: how many of the renamed products in bench/data/renamed_products.jsonl (100 listings,
written here, as sellers rename vapes, lasers, drones and firearm parts to escape term lists)
the default pack flags today.
Prints tables and writes bench/results/items.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, SHARED, table, write_results
from category_generalisation import catalogs

from contraband.category.model import CategoryModel, listing_text
from contraband.listing import Listing
from contraband.policy import load_pack
from contraband.screening import Screener

DATA = SHARED / "data"


def held_out(group: str, seed: int, share: float = 0.3) -> bool:
    return hashlib.sha256(f"{seed}:{group}".encode()).digest()[0] / 256 < share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    positives: list[tuple[Listing, str, str]] = []  # listing, label, vendor
    with (DATA / "prohibited_agora_2014" / "agora_2014_dev.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["cat"] in ("Drugs", "Weapons") and row["title"].strip():
                listing = Listing(id=f"A{row['row_id']}", title=row["title"])
                positives.append((listing, row["cat"].casefold(), row["vendor_hash"]))
    negatives = [(x, "benign", brand) for rows in catalogs().values() for x, brand in rows]
    train = [(x, label) for x, label, g in positives + negatives if not held_out(g, args.seed)]
    test = [(x, label) for x, label, g in positives + negatives if held_out(g, args.seed)]
    model = CategoryModel.train(
        [listing_text(x) for x, _ in train], [label for _, label in train], depth=1
    )
    screener = Screener(load_pack(ROOT / "policies" / "default"))
    day = dt.date(2022, 4, 20)
    scored = []  # (score of the best non-benign label, is positive, a term was found)
    ranked = model.predict_texts([listing_text(x) for x, _ in test])
    for (listing, label), row in zip(test, ranked, strict=True):
        score = max(p for name, p in row if name != "benign")
        found = label != "benign" and bool(screener.screen(listing, day).findings)
        scored.append((score, label != "benign", found))
    benign = sorted((s for s, positive, _ in scored if not positive), reverse=True)
    term_free = [s for s, positive, found in scored if positive and not found]
    results = {"train": len(train), "test": len(test), "term_free_positives": len(term_free)}
    rows = []
    for per_10k in (1, 10):
        allowed = int(len(benign) * per_10k / 10_000)
        threshold = benign[allowed] if allowed < len(benign) else 0.0
        recall = sum(s > threshold for s in term_free) / max(len(term_free), 1)
        results[f"at_{per_10k}_per_10k"] = {"threshold": threshold, "recall": recall}
        rows.append((f"{per_10k} per 10,000", f"{threshold:.3f}", f"{recall:.1%}"))
    print(
        f"train {len(train):,}, test {len(test):,} ({len(benign):,} benign, "
        f"{len(term_free):,} darknet titles no term of the default pack names)"
    )
    print(table(rows, ("false alarms on benign", "score above", "term-free recall")))
    results["renamed_flagged_by_terms"] = renamed(screener, day)
    print(f"wrote {write_results('items', results)}")


def renamed(screener: Screener, day: dt.date) -> dict[str, list[int]]:
    """Per item: (flagged, listings) of the renamed products, screened by the pack's terms."""
    import json
    from collections import Counter

    from contraband.listing import parse_listing

    flagged: Counter[str] = Counter()
    total: Counter[str] = Counter()
    path = Path(__file__).resolve().parent / "data" / "renamed_products.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        total[row["item"]] += 1
        flagged[row["item"]] += screener.screen(parse_listing(row), day).action.value != "allow"
    print(
        table(
            [(item, f"{flagged[item]}/{total[item]}") for item in total],
            ("renamed products", "flagged by the pack's terms"),
        )
    )
    return {item: [flagged[item], total[item]] for item in total}


if __name__ == "__main__":
    main()
