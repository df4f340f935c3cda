"""Sum up ``bench/lockspy`` files: per process, the write-lock holds by where they were
taken (count, total, median, longest) and the waits for it (median, p90, p99, longest).

    .venv/bin/python bench/lockspy/report.py /tmp/locks
"""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict
from pathlib import Path


def _pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * q))]


def main() -> None:
    for path in sorted(Path(sys.argv[1]).glob("*.txt")):
        lines = [line.rstrip("\n").split("\t") for line in path.read_text().splitlines()]
        if not lines:
            continue
        holds: dict[str, list[float]] = defaultdict(list)
        waits = []
        for _process, thread, held, waited, where in lines:
            holds[f"{thread}: {where}"].append(float(held))
            waits.append(float(waited))
        total = sum(sum(v) for v in holds.values())
        print(f"{path.stem} ({lines[0][0]}): {len(lines)} holds, {total:.0f} ms in all")
        for where, held in sorted(holds.items(), key=lambda kv: -sum(kv[1]))[:8]:
            print(f"  {len(held):6d} × median {statistics.median(held):6.2f} ms, longest "
                  f"{max(held):6.2f} ms, {sum(held):7.1f} ms in all  {where[:90]}")
        print(f"  waits: median {statistics.median(waits):.2f} ms, p90 {_pct(waits, 0.9):.2f}, "
              f"p99 {_pct(waits, 0.99):.2f}, longest {max(waits):.2f}")


if __name__ == "__main__":
    main()
