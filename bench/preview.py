"""`measure preview` against two plain scans of the same listings, in one run.

    python bench/preview.py [--listings 200000]

Makes two packs from the standard corpus's terms (the second adds a country measure over a
tenth of the items), then times, by process time, `contraband measure preview` (both packs,
compared) and `contraband scan` under each pack, on the same listings (JSONL), with the index
cache warm. The preview should cost little more than the two scans. Prints a table and
writes bench/results/preview.json.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import standard_corpus, table, write_results
from scan import corpus_pack


def measured(command: list[str], environment: dict[str, str]) -> float:
    """CPU seconds (user + system) a child command used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=environment)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        f"  {command[3]}: {cpu:.1f} CPU-s ({time.perf_counter() - started:.1f} s wall)", flush=True
    )
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listings", type=int, default=200_000)
    args = parser.parse_args()
    corpus = standard_corpus(args.listings)
    listings = corpus / "listings.jsonl"
    with tempfile.TemporaryDirectory() as tmp:
        base, proposed = Path(tmp) / "base", Path(tmp) / "proposed"
        for directory in (base, proposed):
            directory.mkdir()
            corpus_pack(corpus, directory)
        items = (proposed / "items" / "corpus.yaml").read_text().split("{id: ")[1:]
        ids = [chunk.split(",")[0] for chunk in items][::10]
        (proposed / "measures").mkdir(exist_ok=True)
        (proposed / "measures" / "bench.yaml").write_text(
            "measures:\n  - id: BENCH-DE\n    title: A tenth of the items banned in Germany\n"
            f"    items: [{', '.join(ids)}]\n    countries: [DE]\n"
            "    publicized: 2023-01-01\n    effective: 2023-06-01\n"
        )
        environment = {**os.environ, "CONTRABAND_CACHE_DIR": str(Path(tmp) / "cache")}
        cli = [sys.executable, "-m", "contraband.cli.main"]
        day = ["--as-of", "2024-01-01"]
        one = Path(tmp) / "one.jsonl"
        one.write_text(listings.open().readline())
        for pack in (base, proposed):  # warm the index cache: the runs below start from it
            warm = [*cli, "scan", str(one), "--policy", str(pack), *day]
            subprocess.run(
                [*warm, "--out", str(Path(tmp) / "warm.jsonl")],
                check=True,
                stdout=subprocess.DEVNULL,
                env=environment,
            )
        scans = [
            measured(
                [
                    *cli,
                    "scan",
                    str(listings),
                    "--policy",
                    str(pack),
                    *day,
                    "--out",
                    str(Path(tmp) / f"{i}.jsonl"),
                ],
                environment,
            )
            for i, pack in enumerate((base, proposed))
        ]
        preview = measured(
            [
                *cli,
                "measure",
                "preview",
                str(listings),
                "--policy",
                str(proposed),
                "--base",
                str(base),
                *day,
                "--json",
                str(Path(tmp) / "impact.json"),
            ],
            environment,
        )
    ratio = preview / sum(scans)
    rows = [
        ("listings", f"{args.listings:,}"),
        ("scan under the base pack", f"{scans[0]:.1f} CPU-s"),
        ("scan under the proposed pack", f"{scans[1]:.1f} CPU-s"),
        ("measure preview (both, compared)", f"{preview:.1f} CPU-s"),
        ("preview / the two scans", f"{ratio:.2f}"),
    ]
    print(table(rows, ("measure", "value")))
    path = write_results(
        "preview",
        {"listings": args.listings, "scan_cpu_s": scans, "preview_cpu_s": preview, "ratio": ratio},
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
