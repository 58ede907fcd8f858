"""The goals of the event-loop issue, judged on a run's figures, beside the figures before it.

Never an invariant: a goal missed is printed (and written to the JSON file), the run does not
fail because of a time. "Before" is what the issue measured on the code it was filed against
(2 cores, Home Assistant 2026.10): the longest stall of a first sync of 100 000 SMS, the bytes it
read, the import cost; the other stalls were not measured then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .report import MIB, Table, fmt_bytes, fmt_ms

STALL_GOAL = 0.050
IMPORT_GOAL = 0.020

type Figures = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class Goal:
    """One goal: what, the figure before, how to read the figure now, the target."""

    key: str
    what: str
    unit: str  # "s" or "bytes"
    before: float | None
    now: Callable[[Figures], float | None]
    target: Callable[[Figures], float | None]


def _get(figures: Figures, key: str, *path: str) -> Any:  # noqa: ANN401 - JSON data
    value: Any = figures.get(key, {}).get("metrics")
    for name in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value


def _max(values: Iterator[Any]) -> float | None:
    numbers = [value for value in values if isinstance(value, int | float)]
    return max(numbers) if numbers else None


def _fig1(figures: Figures) -> float | None:
    sizes = _get(figures, "fig1", "sizes") or []
    return _max(row.get("ours_longest_loop_stall") for row in sizes if isinstance(row, Mapping))


def _fig2(figures: Figures) -> float | None:
    series = ("legacy", "signed", "callr_signed")
    bursts = _get(figures, "fig2", "bursts") or {}
    return _max(
        iter(
            [_get(figures, "fig2", name, "longest_loop_stall") for name in series]
            + [burst.get("longest_loop_stall") for burst in bursts.values()]
        )
    )


def _fig3(figures: Figures) -> float | None:
    return _max(
        _get(figures, "fig3", provider, "longest_loop_stall")
        for provider in ("smsmobileapi", "callr")
    )


def _fig4(figures: Figures) -> float | None:
    return _max(
        iter(
            [
                _get(figures, "fig4", "longest_loop_stall"),
                _get(figures, "fig4", "callr", "longest_loop_stall"),
            ]
        )
    )


def _constant(value: float) -> Callable[[Figures], float]:
    return lambda _figures: value


GOALS: tuple[Goal, ...] = (
    Goal(
        "first_sync_stall",
        "longest event-loop stall, first sync of 100 000 SMS",
        "s",
        2.15,
        lambda figures: _get(figures, "fig6", "setup_longest_loop_stall"),
        _constant(STALL_GOAL),
    ),
    Goal(
        "poll_stall",
        "longest event-loop stall, idle polls up to 100 000 SMS (both providers)",
        "s",
        None,
        _fig1,
        _constant(STALL_GOAL),
    ),
    Goal(
        "push_stall",
        "longest event-loop stall, pushes one by one and in bursts (both providers)",
        "s",
        None,
        _fig2,
        _constant(STALL_GOAL),
    ),
    Goal(
        "ingest_stall",
        "longest event-loop stall, ingest under load (both providers)",
        "s",
        None,
        _fig3,
        _constant(STALL_GOAL),
    ),
    Goal(
        "sending_stall",
        "longest event-loop stall, sending to many recipients (both providers)",
        "s",
        None,
        _fig4,
        _constant(STALL_GOAL),
    ),
    Goal(
        "first_sync_bytes",
        "bytes read by the first sync of 100 000 SMS (target: one plain fetch of the inbox)",
        "bytes",
        36 * MIB,
        lambda figures: _get(figures, "fig6", "bytes"),
        lambda figures: _get(figures, "fig6", "rest_bytes") or None,
    ),
    Goal(
        "import",
        "import cost on top of what Home Assistant has loaded (integration and platforms)",
        "s",
        0.057,
        lambda figures: _get(figures, "fig5", "import_seconds"),
        _constant(IMPORT_GOAL),
    ),
)


def judge(figures: Figures) -> list[dict[str, Any]]:
    """Each goal whose figure ran: before, now, target, met (JSON-ready)."""
    judged = []
    for goal in GOALS:
        now, target = goal.now(figures), goal.target(figures)
        if now is None:
            continue
        judged.append(
            {
                "key": goal.key,
                "what": goal.what,
                "unit": goal.unit,
                "before": goal.before,
                "now": now,
                "target": target,
                "met": target is not None and now <= target,
            }
        )
    return judged


def table(judged: list[dict[str, Any]], mode: str) -> Table:
    """The goals as a printed table."""

    def fmt(value: float | None, unit: str) -> str:
        if value is None:
            return "-"
        return fmt_bytes(value) if unit == "bytes" else fmt_ms(value)

    goals = Table(
        f"Goals of the event-loop issue ({mode} run; 'before': the issue's own measurements)",
        ["goal", "before", "now", "target", "met"],
    )
    for goal in judged:
        goals.rows.append(
            [
                goal["what"],
                fmt(goal["before"], goal["unit"]),
                fmt(goal["now"], goal["unit"]),
                ("<= " + fmt(goal["target"], goal["unit"])) if goal["target"] else "-",
                "yes" if goal["met"] else "NO",
            ]
        )
    goals.notes.append(
        "a goal is never an invariant: the run fails only when an invariant breaks"
        + ("" if mode == "full" else "; the sizes here are not the goals' (100 000 SMS)")
    )
    return goals
