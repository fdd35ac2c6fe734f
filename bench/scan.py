"""End-to-end `contraband scan` throughput on the standard corpus (reading and writing included).

    python bench/scan.py [--listings 200000]

Makes a policy pack from the corpus's 10,000 terms (one grade-A item per term, the default
pack's rules), runs the real CLI with 1 and 2 workers, and compares the rates with the
screening core's, measured in the same run on the same corpus and terms.
Prints a table and writes bench/results/scan.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, standard_corpus, table, write_results


def corpus_pack(corpus: Path, target: Path) -> Path:
    shutil.copy(ROOT / "policies" / "default" / "pack.yaml", target / "pack.yaml")
    (target / "items").mkdir()
    lines = ["items:"]
    for i, term in enumerate((corpus / "terms.txt").read_text().splitlines()):
        if term.strip():
            quoted = json.dumps(term)
            lines.append(f"  - {{id: t{i}, name: {quoted}, grade: A, terms: {{en: [{quoted}]}}}}")
    (target / "items" / "corpus.yaml").write_text("\n".join(lines) + "\n")
    return target


def run_scan(
    listings: Path, pack: Path, out: Path, workers: int, cache: Path
) -> tuple[float, float]:
    """(wall-clock seconds of the whole command, seconds of its scan phase)."""
    summary = out.with_suffix(".summary.json")
    command = [
        sys.executable,
        "-m",
        "contraband.cli.main",
        "scan",
        str(listings),
        "--policy",
        str(pack),
        "--as-of",
        "2024-01-01",
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--summary-json",
        str(summary),
    ]
    start = time.perf_counter()
    environment = {**os.environ, "CONTRABAND_CACHE_DIR": str(cache)}
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=environment)
    wall = time.perf_counter() - start
    return wall, json.loads(summary.read_text())["scan_seconds"]


def pack_terms_of(corpus: Path) -> list[str]:
    return [t.strip() for t in (corpus / "terms.txt").read_text().splitlines() if t.strip()]


def core_rates(corpus: Path, terms: list[str]) -> tuple[float, float]:
    """The screening core's rates (1 core, 2 processes) measured now, on the same corpus and
    terms: the machine's speed drifts, so the ratio is only fair within one run."""
    import pickle

    from throughput import load_listings, run_parallel, scan

    from contraband.matching import Matcher, Term, TermIndex

    index = TermIndex.build([Term(t, f"t{i}") for i, t in enumerate(terms)])
    listings = load_listings(corpus / "listings.jsonl")
    matcher = Matcher(index)
    start = time.perf_counter()
    scan(matcher, listings)
    one = len(listings) / (time.perf_counter() - start)
    two = len(listings) / run_parallel(pickle.dumps(index), corpus / "listings.jsonl", 2)[0]
    return one, two


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listings", type=int, default=200_000)
    args = parser.parse_args()
    corpus = standard_corpus(args.listings)
    with tempfile.TemporaryDirectory() as tmp:
        pack = corpus_pack(corpus, Path(tmp))
        out = Path(tmp) / "verdicts.jsonl"
        n = sum(1 for _ in (corpus / "listings.jsonl").open("rb"))
        results = {}
        steady = {}
        cache = Path(tmp) / "cache"  # empty: the first run builds the index and stores it
        cold, _ = run_scan(corpus / "listings.jsonl", pack, out, 1, cache)
        for workers in (1, 2):
            wall, scanning = run_scan(corpus / "listings.jsonl", pack, out, workers, cache)
            results[workers] = n / wall
            steady[workers] = n / scanning
    core_one, core_two = core_rates(corpus, pack_terms_of(corpus))
    rows = [
        ("listings", f"{n:,}"),
        ("1 worker: listings/s, whole command, index not cached", f"{n / cold:,.0f}"),
        ("1 worker: listings/s, whole command", f"{results[1]:,.0f}"),
        ("1 worker: listings/s, scan phase", f"{steady[1]:,.0f}"),
        ("2 workers: listings/s, whole command", f"{results[2]:,.0f}"),
        ("2 workers: listings/s, scan phase", f"{steady[2]:,.0f}"),
    ]
    rows.append(("screening core now: 1 core / 2 processes", f"{core_one:,.0f} / {core_two:,.0f}"))
    rows.append(("1 worker scan phase / core, 1 core", f"{steady[1] / core_one:.0%}"))
    rows.append(("1 worker whole command / core, 1 core", f"{results[1] / core_one:.0%}"))
    rows.append(("2 workers scan phase / core, 2 processes", f"{steady[2] / core_two:.0%}"))
    rows.append(("2 workers whole command / core, 2 processes", f"{results[2] / core_two:.0%}"))
    print(table(rows, ("measure", "value")))
    print(
        "(whole command: start-up, pack load, index (cached, but for the first run), reading,\n"
        " screening, writing;\n"
        " scan phase: reading, screening, writing, as the CLI times it)"
    )
    path = write_results(
        "scan",
        {
            "listings": n,
            "scan_1_worker_cold_per_s": n / cold,
            "scan_1_worker_per_s": results[1],
            "scan_2_workers_per_s": results[2],
            "scan_phase_1_worker_per_s": steady[1],
            "scan_phase_2_workers_per_s": steady[2],
            "core_1_per_s": core_one,
            "core_2_per_s": core_two,
            "ratio_1_scan_phase": steady[1] / core_one if core_one else None,
            "ratio_1_whole": results[1] / core_one if core_one else None,
            "ratio_2_scan_phase": steady[2] / core_two if core_two else None,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
