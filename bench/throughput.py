"""Screening-core throughput and accuracy on the standard corpus.

    python bench/throughput.py [--listings 200000] [--workers 2]

Builds the corpus with ../shared/bench/gen_corpus.py (200,000 listings, 10,000 terms), compiles
the term index, then times the matcher alone (JSON parsing excluded) on one core and on N
processes. Prints a table and writes bench/results/throughput.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import pickle
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import standard_corpus, table, write_results

from contraband.matching import Matcher, Term, TermIndex

FIELDS = ("title", "description", "keywords")


def load_listings(path: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            kw = row.get("keywords") or ""
            if isinstance(kw, list):
                kw = "; ".join(kw)
            out.append(
                (
                    row["id"],
                    [
                        ("title", row["title"]),
                        ("description", row.get("description") or ""),
                        ("keywords", kw),
                    ],
                )
            )
    return out


def scan(matcher: Matcher, listings: list) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for listing_id, fields in listings:
        hits = matcher.find(fields)
        if hits:
            found[listing_id] = {h.term for h in hits}
    return found


def _child(blob: bytes, path: Path, part: int, parts: int, barrier: Any, results: Any) -> None:
    listings = load_listings(path)[part::parts]  # own copy: no copy-on-write faults while timed
    matcher = Matcher(pickle.loads(blob))
    gc.freeze()  # the loaded corpus is not garbage: keep the collector from rescanning it
    barrier.wait()  # all workers start together: wall time = the slowest worker
    start = time.perf_counter()
    scan(matcher, listings)
    results.put(time.perf_counter() - start)


def run_parallel(blob: bytes, path: Path, workers: int) -> float:
    """Wall-clock seconds for `workers` processes to screen the listings at `path`.

    Each process parses its share and loads the index from its pickled form before the
    clock starts, so the timing covers matching only, as for the one-core figure.
    """
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(workers)
    results = ctx.Queue()
    children = [
        ctx.Process(target=_child, args=(blob, path, i, workers, barrier, results))
        for i in range(workers)
    ]
    for child in children:
        child.start()
    times = [results.get() for _ in children]
    for child in children:
        child.join()
    return max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listings", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    corpus = standard_corpus(args.listings)
    terms = [
        Term(t.strip(), f"item-{i}")
        for i, t in enumerate((corpus / "terms.txt").read_text().splitlines())
        if t.strip()
    ]
    start = time.perf_counter()
    index = TermIndex.build(terms)
    build_s = time.perf_counter() - start
    blob = pickle.dumps(index)
    listings = load_listings(corpus / "listings.jsonl")
    total_bytes = sum(len("\n".join(t for _, t in f).encode()) for _, f in listings)
    matcher = Matcher(index)
    gc.freeze()  # the loaded corpus is not garbage: keep the collector from rescanning it
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    found = scan(matcher, listings)
    one_s = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    truth = defaultdict(list)
    for line in (corpus / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        truth[row["id"]].append(row)
    by_kind_total: Counter[str] = Counter()
    by_kind_found: Counter[str] = Counter()
    for listing_id, rows in truth.items():
        for row in rows:
            by_kind_total[row["kind"]] += 1
            if row["term"] in found.get(listing_id, set()):
                by_kind_found[row["kind"]] += 1
    planted_total = sum(v for k, v in by_kind_total.items() if k != "natural")
    planted_found = sum(v for k, v in by_kind_found.items() if k != "natural")
    unplanted = [lid for lid, _ in listings if lid not in truth]
    false_flagged = sum(1 for lid in unplanted if lid in found)

    del matcher
    multi_s = run_parallel(blob, corpus / "listings.jsonl", args.workers)

    rate_one = len(listings) / one_s
    rate_multi = len(listings) / multi_s
    rows = [
        ("listings", f"{len(listings):,}"),
        ("terms", f"{len(terms):,}"),
        ("index build", f"{build_s:.2f} s"),
        ("index size (pickled)", f"{len(blob) / 1e6:.1f} MB"),
        ("peak RSS", f"{rss_after / 1024:.0f} MB"),
        ("1 core: listings/s", f"{rate_one:,.0f}"),
        ("1 core: MB/s", f"{total_bytes / one_s / 1e6:.1f}"),
        (f"{args.workers} processes: listings/s", f"{rate_multi:,.0f}"),
        (f"{args.workers} processes speed-up", f"{rate_multi / rate_one:.2f}x"),
        (
            "planted recall",
            f"{planted_found / planted_total:.2%} ({planted_found}/{planted_total})",
        ),
        ("natural recall", f"{by_kind_found['natural'] / max(by_kind_total['natural'], 1):.2%}"),
        (
            "unplanted flagged",
            f"{false_flagged / len(unplanted):.3%} ({false_flagged}/{len(unplanted)})",
        ),
    ]
    print(table(rows, ("measure", "value")))
    kinds = [
        (k, f"{by_kind_found[k]}/{by_kind_total[k]}", f"{by_kind_found[k] / by_kind_total[k]:.1%}")
        for k in sorted(by_kind_total)
    ]
    print()
    print(table(kinds, ("kind", "found", "recall")))
    missed = [
        (lid, r["kind"], r["as_written"])
        for lid, rs in truth.items()
        for r in rs
        if r["term"] not in found.get(lid, set())
    ]
    path = write_results(
        "throughput",
        {
            "listings": len(listings),
            "terms": len(terms),
            "index_build_s": build_s,
            "index_bytes": len(blob),
            "peak_rss_mb": rss_after / 1024,
            "rss_before_scan_mb": rss_before / 1024,
            "one_core_listings_per_s": rate_one,
            "one_core_mb_per_s": total_bytes / one_s / 1e6,
            "workers": args.workers,
            "multi_listings_per_s": rate_multi,
            "speedup": rate_multi / rate_one,
            "planted_recall": planted_found / planted_total,
            "recall_by_kind": {k: by_kind_found[k] / by_kind_total[k] for k in by_kind_total},
            "unplanted_flagged_share": false_flagged / len(unplanted),
            "missed_examples": missed[:40],
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
