"""The benchmark package still works: its helpers, its command line and one quick run.

Benchmarks, not timed tests: nothing here asserts a time. The quick run goes through a
subprocess (real time, real sockets on 127.0.0.1) because this suite freezes time.
"""

import json
import logging
from pathlib import Path
import subprocess
import sys

import pytest

from bench.__main__ import parse_args
from bench.harness import LogWatch
from bench.report import FigureResult, Table, fmt_bytes, fmt_int, fmt_ms, percentile, ratio

ROOT = Path(__file__).resolve().parent.parent


def test_table_renders_aligned() -> None:
    """Columns line up; the first is left-aligned, the others right-aligned; notes follow."""
    table = Table("T", ["name", "value"], [["a", "1"], ["longer", "12345"]], ["a note"])
    assert table.render().splitlines() == [
        "T",
        "name    value",
        "------  -----",
        "a           1",
        "longer  12345",
        "  * a note",
    ]


def test_formatting() -> None:
    """Units, separators and ratios read as printed in the README."""
    assert fmt_bytes(512) == "512 B"
    assert fmt_bytes(2048) == "2.0 KiB"
    assert fmt_bytes(3 * 1024 * 1024) == "3.00 MiB"
    assert fmt_ms(0.0012) == "1.200 ms"
    assert fmt_ms(0.25) == "250.0 ms"
    assert fmt_ms(2.5) == "2.50 s"
    assert fmt_int(1234567) == "1 234 567"
    assert ratio(6582, 1) == "x6 582"
    assert ratio(15, 1) == "x15.0"
    assert ratio(1, 4) == "x0.25"
    assert ratio(1, 0) == "inf"
    assert ratio(0, 0) == "-"


def test_percentile_nearest_rank() -> None:
    """p50 and p99 by nearest rank."""
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([3.0], 0.99) == 3


def test_invariants_and_json() -> None:
    """A broken invariant is kept and rendered; the JSON form carries it."""
    result = FigureResult("figX", "X")
    lost = [1, 2]
    result.check(len(lost) < 5, "never shown")
    result.check(not lost, "2 SMS lost")
    assert result.failures == ["2 SMS lost"]
    assert "INVARIANT BROKEN: 2 SMS lost" in result.render()
    assert result.as_json()["failures"] == ["2 SMS lost"]


def test_log_watch_tells_unhandled_from_handled() -> None:
    """A failed poll is a handled error; a traceback or an "unexpected error" is not."""
    watch = LogWatch()
    logger = logging.getLogger("bench.smoke")
    logger.addHandler(watch)
    try:
        logger.error("Error fetching smsmobileapi data: timeout")
        logger.warning("Config entry not ready")
        try:
            raise ValueError("boom")  # noqa: TRY301 - a traceback to log
        except ValueError:
            logger.exception("Something failed")
        logger.error("Unexpected error while handling a webhook request")
    finally:
        logger.removeHandler(watch)
    assert len(watch.errors()) == 3
    assert [r.message for r in watch.unhandled()] == [
        "Something failed",
        "Unexpected error while handling a webhook request",
    ]


def test_command_line() -> None:
    """Defaults, and a soak needs a positive duration."""
    args = parse_args([])
    assert not args.quick
    assert args.soak is None
    assert parse_args(["--soak", "20", "--seed", "7"]).seed == 7
    with pytest.raises(SystemExit):
        parse_args(["--soak", "0"])


def test_quick_run(tmp_path: Path) -> None:
    """Two quick figures run end to end and hold their invariants (no time is checked)."""
    results = tmp_path / "bench.json"
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--only",
            "fig1,fig2",
            "--json",
            str(results),
            "--log",
            str(tmp_path / "bench.log"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    data = json.loads(results.read_text())
    assert set(data["figures"]) == {"fig1", "fig2"}
    assert all(not figure["failures"] for figure in data["figures"].values())
    assert data["figures"]["fig2"]["metrics"]["signed"]["handler_p99"] > 0
