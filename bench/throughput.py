"""Screening-core throughput and accuracy on the standard corpus.

    python bench/throughput.py [--listings 200000] [--workers 2] [--cpu N]
    python bench/throughput.py --against-reference [--rounds 3] [--cpu N]

Builds the corpus with ../shared/bench/gen_corpus.py (200,000 listings, 10,000 terms) and
compiles the term index (timed: process time). Then, on one pinned core, screens every
listing with `Matcher.find_many` in chunks of 1,000, as `contraband scan` does, listings
parsed before the clock; reports listings per CPU-second (process time: this machine is
shared and its wall time swings 2x), recall of the planted terms and the share of unplanted
listings flagged, then the wall-clock rate of N processes on N cores.

`--against-reference` measures the yardstick (../shared/bench/speed_reference.py, a research
prototype kept out of the project) beside contraband, alternately, `--rounds` times each, on
the same corpus and the same pinned core: each run is a fresh process (one warm-up pass, then
the median of three timed passes), both rates are listings per CPU-second, and the ratio is
contraband's median over the yardstick's. The yardstick's own virtual environment is built
once from ../shared/bench/speed_reference_requirements.txt, outside the project
(~/.cache/contraband-yardstick). Writes bench/results/throughput.json (or
throughput_against_reference.json).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import multiprocessing as mp
import os
import pickle
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, standard_corpus, table, write_results

CHUNK = 1000
PASSES = 3  # timed passes per run (after one warm-up), as the yardstick does
YARDSTICK_ENV = Path.home() / ".cache" / "contraband-yardstick"

Fields = list[tuple[str, str]]


def load_listings(path: Path) -> list[tuple[str, Fields]]:
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


def load_terms(corpus: Path) -> list[Any]:
    from contraband.matching import Term

    lines = (corpus / "terms.txt").read_text(encoding="utf-8").splitlines()
    return [Term(t.strip(), f"item-{i}") for i, t in enumerate(lines) if t.strip()]


def scan(matcher: Any, listings: list[tuple[str, Fields]]) -> dict[str, set[str]]:
    """(listing id -> terms found), screening in chunks as `contraband scan` does."""
    found: dict[str, set[str]] = {}
    for at in range(0, len(listings), CHUNK):
        chunk = listings[at : at + CHUNK]
        for (listing_id, _), hits in zip(
            chunk, matcher.find_many([fields for _, fields in chunk]), strict=True
        ):
            if hits:
                found[listing_id] = {h.term for h in hits}
    return found


def accuracy(corpus: Path, listings: list[tuple[str, Fields]], found: dict[str, set[str]]) -> dict:
    truth: dict[str, list[dict]] = defaultdict(list)
    for line in (corpus / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        truth[row["id"]].append(row)
    total: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    for listing_id, rows in truth.items():
        for row in rows:
            total[row["kind"]] += 1
            hit[row["kind"]] += row["term"] in found.get(listing_id, set())
    planted = sum(v for k, v in total.items() if k != "natural")
    planted_found = sum(v for k, v in hit.items() if k != "natural")
    unplanted = [lid for lid, _ in listings if lid not in truth]
    missed = [
        (lid, r["kind"], r["as_written"])
        for lid, rs in truth.items()
        for r in rs
        if r["term"] not in found.get(lid, set())
    ]
    return {
        "planted": planted,
        "planted_found": planted_found,
        "planted_recall": planted_found / planted,
        "natural_recall": hit["natural"] / max(total["natural"], 1),
        "unplanted": len(unplanted),
        "unplanted_flagged": sum(1 for lid in unplanted if lid in found),
        "recall_by_kind": {k: (hit[k], total[k]) for k in sorted(total)},
        "missed_examples": missed[:40],
    }


# --- one run in a fresh process (contraband's side of --against-reference) ---------------


def pin(cpu: int | None) -> int:
    """Pin this process to `cpu` (default: the lowest it may run on), before numpy loads."""
    allowed = sorted(os.sched_getaffinity(0))
    chosen = allowed[0] if cpu is None else cpu
    os.sched_setaffinity(0, {chosen})
    return chosen


def run_once(corpus: Path, cpu: int | None) -> dict[str, Any]:
    """One warm-up pass, then `PASSES` timed passes, each with a fresh matcher (no token
    learned in one pass serves the next): listings per CPU-second of each."""
    chosen = pin(cpu)
    from contraband.matching import Matcher, TermIndex

    terms = load_terms(corpus)
    start = time.process_time()
    index = TermIndex.build(terms)
    build_s = time.process_time() - start
    listings = load_listings(corpus / "listings.jsonl")
    gc.collect()
    gc.freeze()  # the loaded corpus is not garbage: keep the collector from rescanning it
    found = scan(Matcher(index), listings)  # warm-up (and the accuracy figures)
    rates = []
    for _ in range(PASSES):
        matcher = Matcher(index)
        start = time.process_time()
        scan(matcher, listings)
        rates.append(len(listings) / (time.process_time() - start))
    return {
        "cpu": chosen,
        "listings": len(listings),
        "index_build_cpu_s": build_s,
        "listings_per_cpu_s": statistics.median(rates),
        "passes": rates,
        **accuracy(corpus, listings, found),
    }


# --- the yardstick ---------------------------------------------------------------------------


def yardstick_python() -> Path:
    """The yardstick's interpreter, its virtual environment built once outside the project."""
    requirements = SHARED / "bench" / "speed_reference_requirements.txt"
    if not requirements.exists():
        sys.exit(f"missing {requirements}: the yardstick needs ../shared")
    stamp = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    python = YARDSTICK_ENV / "bin" / "python"
    marker = YARDSTICK_ENV / f".installed-{stamp}"
    if not marker.exists():
        print(f"building the yardstick's environment in {YARDSTICK_ENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(YARDSTICK_ENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(requirements)], check=True
        )
        marker.touch()
    return python


def run_yardstick(python: Path, corpus: Path, cpu: int | None) -> dict[str, Any]:
    """One run of the yardstick (its own warm-up and three passes): listings per CPU-second."""
    script = SHARED / "bench" / "speed_reference.py"
    command = [str(python), str(script), str(corpus)]
    if cpu is not None:
        command += ["--cpu", str(cpu)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    details = json.loads(done.stderr.strip().splitlines()[-1])
    n = summary["listings"]
    rates = [
        n / (seconds * share)
        for seconds, share in zip(details["run_s"], details["cpu_share_per_run"], strict=True)
    ]
    return {
        "listings": n,
        "listings_per_cpu_s": statistics.median(rates),
        "passes": rates,
        "planted_recall": summary["recall_planted"],
        "unplanted_flagged_share": summary["flagged_unplanted_share"],
        "build_s": details.get("build_s"),
    }


def run_contraband(corpus: Path, cpu: int | None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one-run", str(corpus)]
    if cpu is not None:
        command += ["--cpu", str(cpu)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def against_reference(corpus: Path, rounds: int, cpu: int | None) -> None:
    python = yardstick_python()
    runs: list[tuple[str, dict[str, Any]]] = []
    for round_ in range(1, rounds + 1):
        for name, runner in (
            ("yardstick", lambda: run_yardstick(python, corpus, cpu)),
            ("contraband", lambda: run_contraband(corpus, cpu)),
        ):
            result = runner()
            runs.append((name, result))
            print(
                f"round {round_}: {name:10s} {result['listings_per_cpu_s']:>9,.0f} listings/CPU-s",
                flush=True,
            )
    ours = [r for n, r in runs if n == "contraband"]
    theirs = [r for n, r in runs if n == "yardstick"]
    ours_rate = statistics.median(r["listings_per_cpu_s"] for r in ours)
    theirs_rate = statistics.median(r["listings_per_cpu_s"] for r in theirs)
    pairs = [
        o["listings_per_cpu_s"] / t["listings_per_cpu_s"] for o, t in zip(ours, theirs, strict=True)
    ]
    last = ours[-1]
    unplanted_share = last["unplanted_flagged"] / last["unplanted"]
    rows = [
        ("listings", f"{last['listings']:,}"),
        ("yardstick: listings per CPU-second (median)", f"{theirs_rate:,.0f}"),
        ("contraband: listings per CPU-second (median)", f"{ours_rate:,.0f}"),
        ("ratio contraband / yardstick", f"{ours_rate / theirs_rate:.2f}"),
        ("ratio per round", ", ".join(f"{p:.2f}" for p in pairs)),
        ("yardstick planted recall", f"{theirs[-1]['planted_recall']:.2%}"),
        ("contraband planted recall", f"{last['planted_recall']:.2%}"),
        ("yardstick unplanted flagged", f"{theirs[-1]['unplanted_flagged_share']:.3%}"),
        ("contraband unplanted flagged", f"{unplanted_share:.3%}"),
        ("contraband index build (10k terms)", f"{last['index_build_cpu_s']:.2f} CPU-s"),
    ]
    print()
    print(table(rows, ("measure", "value")))
    path = write_results(
        "throughput_against_reference",
        {
            "corpus": str(corpus),
            "rounds": rounds,
            "ratio": ours_rate / theirs_rate,
            "ratio_per_round": pairs,
            "contraband_listings_per_cpu_s": ours_rate,
            "yardstick_listings_per_cpu_s": theirs_rate,
            "runs": [{"screener": n, **r} for n, r in runs],
        },
    )
    print(f"\nwrote {path}")


# --- the plain benchmark -------------------------------------------------------------------


def _child(blob: bytes, path: Path, part: int, parts: int, barrier: Any, results: Any) -> None:
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[part % len(os.sched_getaffinity(0))]})
    from contraband.matching import Matcher

    listings = load_listings(path)[part::parts]  # own copy: no copy-on-write faults while timed
    matcher = Matcher(pickle.loads(blob))
    gc.freeze()
    barrier.wait()  # all workers start together: wall time = the slowest worker
    start, cpu = time.perf_counter(), time.process_time()
    scan(matcher, listings)
    results.put((time.perf_counter() - start, time.process_time() - cpu, len(listings)))


def run_parallel(blob: bytes, path: Path, workers: int) -> tuple[float, float]:
    """(wall seconds for `workers` processes, one per core, to screen the listings at `path`,
    total CPU seconds they used). Each parses its share and loads the index before the clock."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(workers)
    results = ctx.Queue()
    children = [
        ctx.Process(target=_child, args=(blob, path, i, workers, barrier, results))
        for i in range(workers)
    ]
    for child in children:
        child.start()
    measured = [results.get() for _ in children]
    for child in children:
        child.join()
    return max(m[0] for m in measured), sum(m[1] for m in measured)


def plain(corpus: Path, workers: int, cpu: int | None) -> None:
    from contraband.matching import Matcher, TermIndex

    terms = load_terms(corpus)
    start = time.process_time()
    index = TermIndex.build(terms)
    build_s = time.process_time() - start
    blob = pickle.dumps(index)
    listings = load_listings(corpus / "listings.jsonl")
    gc.freeze()
    pin(cpu)
    found = scan(Matcher(index), listings)  # warm-up and accuracy
    matcher = Matcher(index)
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    scan(matcher, listings)
    one_cpu, one_wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
    os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    multi_wall, multi_cpu = run_parallel(blob, corpus / "listings.jsonl", workers)
    figures = accuracy(corpus, listings, found)
    n = len(listings)
    rows = [
        ("listings", f"{n:,}"),
        ("terms", f"{len(terms):,}"),
        ("index build", f"{build_s:.2f} CPU-s"),
        ("index size (pickled)", f"{len(blob) / 1e6:.1f} MB"),
        ("1 core: listings per CPU-second", f"{n / one_cpu:,.0f}"),
        ("1 core: CPU µs per listing", f"{one_cpu / n * 1e6:.1f}"),
        (f"{workers} processes: listings/s (wall)", f"{n / multi_wall:,.0f}"),
        (f"{workers} processes: CPU µs per listing", f"{multi_cpu / n * 1e6:.1f}"),
        (f"{workers} processes / 1 (wall)", f"{one_wall / multi_wall:.2f}x"),
        (
            "planted recall",
            f"{figures['planted_recall']:.2%} ({figures['planted_found']}/{figures['planted']})",
        ),
        ("natural recall", f"{figures['natural_recall']:.2%}"),
        (
            "unplanted flagged",
            f"{figures['unplanted_flagged'] / figures['unplanted']:.3%} "
            f"({figures['unplanted_flagged']}/{figures['unplanted']})",
        ),
    ]
    print(table(rows, ("measure", "value")))
    kinds = [(k, f"{h}/{t}", f"{h / t:.1%}") for k, (h, t) in figures["recall_by_kind"].items()]
    print()
    print(table(kinds, ("kind", "found", "recall")))
    path = write_results(
        "throughput",
        {
            "listings": n,
            "terms": len(terms),
            "index_build_cpu_s": build_s,
            "index_bytes": len(blob),
            "one_core_listings_per_cpu_s": n / one_cpu,
            "workers": workers,
            "multi_listings_per_s_wall": n / multi_wall,
            "multi_cpu_us_per_listing": multi_cpu / n * 1e6,
            "speedup_wall": one_wall / multi_wall,
            **figures,
        },
    )
    print(f"\nwrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listings", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cpu", type=int, default=None, help="the core to pin to")
    parser.add_argument("--against-reference", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one-run", type=Path, help=argparse.SUPPRESS)  # a child's corpus
    args = parser.parse_args()
    if args.one_run:
        print(json.dumps(run_once(args.one_run, args.cpu)))
        return
    corpus = standard_corpus(args.listings)
    if args.against_reference:
        against_reference(corpus, args.rounds, args.cpu)
    else:
        plain(corpus, args.workers, args.cpu)


if __name__ == "__main__":
    main()
