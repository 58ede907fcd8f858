"""Results of a figure: tables to print, numbers for the JSON file, broken invariants."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import math
from typing import Any

KIB = 1024
MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(slots=True)
class Table:
    """One printed table: a title, column names, rows of text and notes under it."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        """The table as aligned text (first column left, the others right)."""
        widths = [len(name) for name in self.columns]
        for row in self.rows:
            for index, cell in enumerate(row):
                widths[index] = max(widths[index], len(cell))

        def line(cells: list[str]) -> str:
            parts = [
                cell.ljust(widths[index]) if index == 0 else cell.rjust(widths[index])
                for index, cell in enumerate(cells)
            ]
            return "  ".join(parts).rstrip()

        rule = "  ".join("-" * width for width in widths)
        out = [self.title, line(self.columns), rule, *(line(row) for row in self.rows)]
        out.extend(f"  * {note}" for note in self.notes)
        return "\n".join(out)


@dataclass(slots=True)
class FigureResult:
    """What one figure measured."""

    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def check(self, ok: bool, failure: str) -> None:  # noqa: FBT001 - reads as an assertion
        """Record ``failure`` unless ``ok``: an invariant, never a time."""
        if not ok:
            self.failures.append(failure)

    def render(self) -> str:
        """Heading, tables and the verdict on the invariants."""
        out = [f"=== {self.title} ({self.seconds:.1f} s) ==="]
        out.extend(table.render() + "\n" for table in self.tables)
        if self.failures:
            out.extend(f"INVARIANT BROKEN: {failure}" for failure in self.failures)
        else:
            out.append("invariants: ok")
        return "\n".join(out)

    def as_json(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "title": self.title,
            "seconds": round(self.seconds, 3),
            "metrics": self.metrics,
            "failures": self.failures,
            "tables": [
                {"title": t.title, "columns": t.columns, "rows": t.rows, "notes": t.notes}
                for t in self.tables
            ],
        }


def fmt_bytes(value: float) -> str:
    """1 234 B, 12.3 KiB, 4.56 MiB, 23.5 GiB."""
    if value < KIB:
        return f"{value:.0f} B"
    if value < MIB:
        return f"{value / KIB:.1f} KiB"
    if value < GIB:
        return f"{value / MIB:.2f} MiB"
    return f"{value / GIB:.1f} GiB"


def fmt_ms(seconds: float) -> str:
    """Milliseconds with a precision that suits the size."""
    ms = seconds * 1000
    if ms < 10:
        return f"{ms:.3f} ms"
    if ms < 1000:
        return f"{ms:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_int(value: float) -> str:
    """An integer with thin thousands separators (spaces)."""
    return f"{value:,.0f}".replace(",", " ")


def ratio(alternative: float, ours: float) -> str:
    """How many times the alternative costs what ours costs, as ``x123``."""
    if ours <= 0:
        return "inf" if alternative > 0 else "-"
    value = alternative / ours
    if value >= 100:
        return f"x{value:,.0f}".replace(",", " ")
    if value >= 10:
        return f"x{value:.1f}"
    return f"x{value:.2f}"


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (0 < fraction <= 1)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def full_collections_note(windows: Mapping[str, Mapping[str, float | int]]) -> str:
    """What Python's full garbage collections did in each measured window (``LoopLag``).

    A full collection walks every object of the process (Home Assistant's: most of them) and
    blocks the event loop meanwhile: "name: 1 (154.2 ms)". Then the longest stall of the ticks
    without one: what the rest of the work blocked.
    """
    counts = ", ".join(
        f"{name} {int(window.get('full_collections', 0))}"
        + (
            f" ({fmt_ms(float(window.get('longest_full_collection', 0.0)))})"
            if window.get("full_collections")
            else ""
        )
        for name, window in windows.items()
    )
    outside = ", ".join(
        f"{name} {fmt_ms(float(window.get('longest_loop_stall_outside_full_collections', 0.0)))}"
        for name, window in windows.items()
    )
    return (
        f"full collections of Python's garbage collector (each window starts after one): "
        f"{counts}; longest stall outside them: {outside}"
    )
