"""Screening-core cost in CPU instructions per listing, against a reference commit.

    python bench/instructions.py [--reference 2bf56b9] [--listings 3000] [--cache-sim]

Wall-clock rates on this shared machine drift by up to 2x from hour to hour, so a rate
measured today cannot be compared with one measured yesterday. Instruction counts can:
`valgrind --tool=callgrind` counts the instructions the matcher executes, the same whatever
else the machine is doing. Both trees (this one and the reference, checked out with
`git worktree`) screen the same listings of the standard corpus with the same 10,000 terms;
the per-listing count is (count for N+1 listings - count for 1 listing) / N, so start-up and
index loading cancel out. Memory stalls are not counted: read the ratio as a CPU-work ratio,
or add --cache-sim, which simulates the caches (one process, no neighbours) and estimates
cycles with the usual rough weights.
Prints a table and writes bench/results/instructions.json.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, standard_corpus, table, write_results


def child(tree: str, corpus: str, index_path: str, count: int) -> None:
    """Run inside valgrind (count >= 1) or build the index of `tree` (count == 0)."""
    sys.path.insert(0, str(Path(tree) / "src"))
    from contraband.matching import Matcher, Term, TermIndex

    if count == 0:
        lines = (Path(corpus) / "terms.txt").read_text().splitlines()
        terms = [Term(t.strip(), f"t{i}") for i, t in enumerate(lines) if t.strip()]
        Path(index_path).write_bytes(pickle.dumps(TermIndex.build(terms)))
        return
    matcher = Matcher(pickle.loads(Path(index_path).read_bytes()))
    listings = []
    with (Path(corpus) / "listings.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if len(listings) == count:
                break
            row = json.loads(line)
            keywords = row.get("keywords") or ""
            if isinstance(keywords, list):
                keywords = "; ".join(keywords)
            listings.append(
                [
                    ("title", row["title"]),
                    ("description", row.get("description") or ""),
                    ("keywords", keywords),
                ]
            )
    for fields in listings:
        matcher.find(fields)


def events(tree: Path, corpus: Path, index: Path, count: int, cache_sim: bool) -> dict[str, int]:
    """Callgrind's event totals (Ir, and cache misses with `cache_sim`) for a run screening
    `count` listings."""
    with tempfile.NamedTemporaryFile(suffix=".callgrind") as out:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--cache-sim={'yes' if cache_sim else 'no'}",
            f"--callgrind-out-file={out.name}",
            sys.executable,
            __file__,
            "--child",
            str(tree),
            str(corpus),
            str(index),
            str(count),
        ]
        # One hash seed for every run: set and dict layouts, and so their probe counts, vary
        # with it (by 1-2% of the total), which would blur the comparison.
        environment = {**os.environ, "PYTHONHASHSEED": "0"}
        subprocess.run(command, capture_output=True, text=True, check=True, env=environment)
        report = subprocess.run(
            ["callgrind_annotate", out.name], capture_output=True, text=True, check=True
        ).stdout
    names = next(line for line in report.splitlines() if line.startswith("Events recorded:"))
    totals = next(line for line in report.splitlines() if "PROGRAM TOTALS" in line)
    numbers = [int(part.replace(",", "")) for part in totals.split() if part[0].isdigit()]
    return dict(zip(names.split(":", 1)[1].split(), numbers, strict=False))


def estimated_cycles(counts: dict[str, float]) -> float:
    """The usual rough model: an instruction a cycle, 10 per first-level miss, 100 per
    last-level miss."""
    first = sum(counts.get(e, 0) for e in ("I1mr", "D1mr", "D1mw"))
    last = sum(counts.get(e, 0) for e in ("ILmr", "DLmr", "DLmw"))
    return counts["Ir"] + 10 * first + 100 * last


def per_listing(
    tree: Path, corpus: Path, workdir: Path, listings: int, cache_sim: bool
) -> dict[str, float]:
    index = workdir / f"index-{tree.name}.pickle"
    subprocess.run(
        [sys.executable, __file__, "--child", str(tree), str(corpus), str(index), "0"], check=True
    )
    base = events(tree, corpus, index, 1, cache_sim)
    full = events(tree, corpus, index, listings + 1, cache_sim)
    return {name: (full[name] - base[name]) / listings for name in full}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", default="2bf56b9")
    parser.add_argument("--listings", type=int, default=3000)
    parser.add_argument(
        "--cache-sim", action="store_true", help="also simulate the caches (about 2x slower)"
    )
    args = parser.parse_args()
    corpus = standard_corpus(200_000)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        reference = workdir / "reference"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(reference), args.reference],
            check=True,
            capture_output=True,
        )
        try:
            current = per_listing(ROOT, corpus, workdir, args.listings, args.cache_sim)
            before = per_listing(reference, corpus, workdir, args.listings, args.cache_sim)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(reference)],
                check=False,
            )
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    label = f"this tree ({head}, with changes if any)"
    rows = [
        (f"reference {args.reference}", f"{before['Ir']:,.0f}", "1.00"),
        (label, f"{current['Ir']:,.0f}", f"{current['Ir'] / before['Ir']:.2f}"),
    ]
    if args.cache_sim:
        cycles_before, cycles_now = estimated_cycles(before), estimated_cycles(current)
        rows.append((f"reference {args.reference}: estimated cycles", f"{cycles_before:,.0f}", ""))
        rows.append(
            (
                "this tree: estimated cycles",
                f"{cycles_now:,.0f}",
                f"{cycles_now / cycles_before:.2f}",
            )
        )
    print(table(rows, ("code", "per listing", "ratio")))
    print("(instructions; with --cache-sim, also Ir + 10 x first-level + 100 x last-level misses)")
    path = write_results(
        "instructions",
        {
            "reference": args.reference,
            "head": head,
            "listings": args.listings,
            "reference_per_listing": before,
            "current_per_listing": current,
            "ratio": current["Ir"] / before["Ir"],
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        main()
