"""Shared helpers for the benchmark scripts: corpus location, machine notes, result output."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CONTRABAND_SHARED", ROOT.parent / "shared"))
RESULTS = ROOT / "bench" / "results"


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "speed_probe_ms": speed_probe_ms(),
    }


def speed_probe_ms() -> float:
    """Milliseconds for a fixed pure-Python workload: this shared machine's speed varies by
    up to 1.5x from hour to hour, so figures from different runs compare through it."""
    import time

    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        total = 0
        for i in range(300_000):
            total += i * i
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 2)


def standard_corpus(n: int, directory: Path | None = None) -> Path:
    """The standard corpus of `n` listings (generated once by shared/bench/gen_corpus.py)."""
    directory = directory or Path(
        os.environ.get("CONTRABAND_CORPUS", f"/tmp/contraband-corpus-{n}")
    )
    if not (directory / "truth.jsonl").exists():
        generator = SHARED / "bench" / "gen_corpus.py"
        if not generator.exists():
            sys.exit(f"missing {generator}: the standard corpus needs ../shared")
        print(f"generating the standard corpus ({n:,} listings) in {directory} ...", flush=True)
        subprocess.run([sys.executable, str(generator), str(directory), str(n)], check=True)
    return directory


def write_results(name: str, payload: dict[str, object]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"machine": machine(), **payload}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return path


def table(rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)
