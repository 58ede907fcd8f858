#!/usr/bin/env python3
"""The README's benchmark figures, regenerated from ``scripts/bench --json`` results.

    python3 scripts/bench_table.py bench-results/run*.json --readme README.md

See ``bench/table.py``; this runs it with the repository on the path (any Python 3.11+).
"""

from pathlib import Path
import sys

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.table import main

if __name__ == "__main__":
    raise SystemExit(main())
