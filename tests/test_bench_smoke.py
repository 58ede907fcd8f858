"""The benchmark package still works: its helpers, its command line and one quick run.

Benchmarks, not timed tests: nothing here asserts a time. The quick run goes through a
subprocess (real time, real sockets on 127.0.0.1) because this suite freezes time.
"""

import json
import logging
from pathlib import Path
import subprocess
import sys
from typing import Any

import pytest

from bench import goals, table as bench_table
from bench.__main__ import parse_args
from bench.harness import LogWatch
from bench.report import FigureResult, Table, fmt_bytes, fmt_int, fmt_ms, percentile, ratio

ROOT = Path(__file__).resolve().parent.parent


BEGIN, END = bench_table.BEGIN, bench_table.END


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
    assert fmt_bytes(24 * 1024**3) == "24.0 GiB"
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


def _bench(tmp_path: Path, name: str, *arguments: str) -> dict[str, Any]:
    """Run the bench in a subprocess; its JSON results (the run must hold every invariant)."""
    results = tmp_path / f"{name}.json"
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "bench",
            *arguments,
            "--json",
            str(results),
            "--log",
            str(tmp_path / f"{name}.log"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    data: dict[str, Any] = json.loads(results.read_text())
    assert data["schema"] == 2
    assert data["invariants_hold"]
    assert all(not figure["failures"] for figure in data["figures"].values())
    return data


def test_quick_run(tmp_path: Path) -> None:
    """Every figure, both providers, at small sizes: every invariant holds (no time is checked).

    Then the README's table is regenerated from the results.
    """
    data = _bench(tmp_path, "quick", "--quick")
    figures = data["figures"]
    assert set(figures) == {"fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7"}
    assert {row["provider"] for row in figures["fig1"]["metrics"]["sizes"]} == {
        "smsmobileapi",
        "callr",
    }
    push = figures["fig2"]["metrics"]
    assert push["signed"]["handler_p99"] > 0
    assert push["callr_signed"]["end_to_end_p50"] > 0
    assert set(push["bursts"]) == {"smsmobileapi", "callr"}
    for provider in ("smsmobileapi", "callr"):
        ingest = figures["fig3"]["metrics"][provider]
        assert ingest["lost"] == ingest["duplicated"] == ingest["unexpected"] == 0
    assert figures["fig4"]["metrics"]["callr"]["speedup"] > 0
    first_sync = figures["fig6"]["metrics"]
    assert first_sync["events_fired"] == first_sync["events_fired_next_poll"] == 0
    assert first_sync["setup_longest_loop_stall"] > 0
    assert {goal["key"] for goal in data["goals"]} >= {"first_sync_stall", "import"}
    assist = figures["fig7"]["metrics"]
    assert assist["answered"] > 0
    assert assist["rate_limited"] > 0
    assert assist["twice"] == assist["forged_answered"] == 0
    assert assist["lost"] == assist["duplicated"] == 0
    assert {"allowed", "twice", "other", "forged", "delayed"} <= set(assist["kinds"])

    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{BEGIN}\nold figures\n{END}\n\nafter\n")
    # As the README says to run it: the launcher in scripts/, with the repository off the path.
    regenerated = subprocess.run(  # noqa: S603 - our own interpreter and script
        [
            sys.executable,
            str(ROOT / "scripts" / "bench_table.py"),
            str(tmp_path / "quick.json"),
            "--readme",
            str(readme),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert regenerated.returncode == 0, regenerated.stdout + regenerated.stderr
    text = readme.read_text()
    assert "old figures" not in text
    assert text.startswith("# Title\n\n" + BEGIN)
    assert text.endswith(END + "\n\nafter\n")
    assert "| SMSMobileAPI | 100 |" in text
    assert "| CALLR | 100 |" in text


def test_quick_soak(tmp_path: Path) -> None:
    """A short soak with faults and restarts of both entries: nothing lost or fired twice."""
    data = _bench(tmp_path, "soak", "--soak", "6", "--seed", "7")
    streams = data["figures"]["soak"]["metrics"]["streams"]
    assert set(streams) == {"SMSMobileAPI SMS", "SMSMobileAPI calls", "CALLR SMS"}
    for stream in streams.values():
        assert stream["lost"] == stream["duplicated"] == 0
    assert set(data["figures"]["soak"]["metrics"]["entries"]) == {"smsmobileapi", "callr"}
    assist = data["figures"]["soak"]["metrics"]["assist"]
    assert assist["twice"] == assist["forged_answered"] == 0
    assert assist["forged"] > 0


def test_goals_are_judged_from_the_figures() -> None:
    """A goal is met at or under its target; goals of figures that did not run are left out."""
    figures = {
        "fig6": {"metrics": {"setup_longest_loop_stall": 0.01, "bytes": 10, "rest_bytes": 9}},
        "fig5": {"metrics": {"import_seconds": 0.02}},
    }
    judged = {goal["key"]: goal for goal in goals.judge(figures)}
    assert set(judged) == {"first_sync_stall", "first_sync_bytes", "import"}
    assert judged["first_sync_stall"]["met"]
    assert not judged["first_sync_bytes"]["met"]
    assert judged["import"]["met"]
    assert "NO" in goals.table(list(judged.values()), "quick").render()


def test_a_failed_poll_is_a_handled_error() -> None:
    """The coordinator's "Error fetching" line is handled, whatever the service's words."""
    watch = LogWatch()
    logger = logging.getLogger("bench.smoke.poll")
    logger.addHandler(watch)
    try:
        logger.error("Error fetching smsmobileapi data: Unexpected answer from GET /sms")
        logger.error("Unexpected error fetching smsmobileapi data")
    finally:
        logger.removeHandler(watch)
    assert [r.message for r in watch.unhandled()] == ["Unexpected error fetching smsmobileapi data"]
