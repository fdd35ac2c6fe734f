"""Screening-core cost in CPU instructions per listing, against a reference commit.

    python bench/instructions.py [--reference 2bf56b9] [--listings 3000]

Wall-clock rates on this shared machine drift by up to 2x from hour to hour, so a rate
measured today cannot be compared with one measured yesterday. Instruction counts can:
`valgrind --tool=callgrind` counts the instructions the matcher executes, the same whatever
else the machine is doing. Both trees (this one and the reference, checked out with
`git worktree`) screen the same listings of the standard corpus with the same 10,000 terms;
the per-listing count is (count for N+1 listings - count for 1 listing) / N, so start-up and
index loading cancel out. Memory stalls are not counted: read the ratio as a CPU-work ratio.
Prints a table and writes bench/results/instructions.json.
"""

from __future__ import annotations

import argparse
import json
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


def instructions(tree: Path, corpus: Path, index: Path, count: int) -> int:
    """Instructions callgrind counts for a run screening `count` listings."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        str(tree),
        str(corpus),
        str(index),
        str(count),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    for line in result.stderr.splitlines():
        if "Collected" in line:
            return int(line.split()[-1])
    raise RuntimeError(f"no instruction count in valgrind's output:\n{result.stderr[-2000:]}")


def per_listing(tree: Path, corpus: Path, workdir: Path, listings: int) -> float:
    index = workdir / f"index-{tree.name}.pickle"
    subprocess.run(
        [sys.executable, __file__, "--child", str(tree), str(corpus), str(index), "0"], check=True
    )
    base = instructions(tree, corpus, index, 1)
    full = instructions(tree, corpus, index, listings + 1)
    return (full - base) / listings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", default="2bf56b9")
    parser.add_argument("--listings", type=int, default=3000)
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
            current = per_listing(ROOT, corpus, workdir, args.listings)
            before = per_listing(reference, corpus, workdir, args.listings)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(reference)],
                check=False,
            )
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    rows = [
        (f"reference {args.reference}", f"{before:,.0f}", "1.00"),
        (f"this tree ({head}, with changes if any)", f"{current:,.0f}", f"{current / before:.2f}"),
    ]
    print(table(rows, ("code", "instructions/listing", "ratio")))
    path = write_results(
        "instructions",
        {
            "reference": args.reference,
            "head": head,
            "listings": args.listings,
            "reference_per_listing": before,
            "current_per_listing": current,
            "ratio": current / before,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        main()
