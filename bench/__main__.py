"""``python -m bench``: run the figures (or the soak) and print them; see ``--help``."""

# Our package first: Home Assistant's harness otherwise shadows the top-level ``custom_components``.
import custom_components.smsmobileapi  # noqa: F401, I001  (must stay first)

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import platform
import sys
import time
import traceback
from typing import Any

from homeassistant.const import __version__ as HA_VERSION  # noqa: N812

from . import (
    fig1_poll_cost,
    fig2_push_latency,
    fig3_ingest,
    fig4_sending,
    fig5_rest_cost,
    fig6_first_sync,
    fig7_conversation,
    goals,
    soak,
)
from .harness import LogWatch, rest_available, setup_logging
from .report import FigureResult, fmt_bytes

DEFAULT_SEED = 20260923
DEFAULT_LOG = Path("bench-results/bench.log")
# The shape of ``--json`` (README: "Benchmarks"); raised when a key changes meaning or goes away,
# never when one is added.
SCHEMA = 2


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big each figure is."""

    inbox_sizes: list[int]
    pushes: int
    bursts: int
    ingest: int
    recipients: int
    ledger_messages: int
    history: int
    conversation: int


FULL = Sizes([100, 10_000, 100_000], 1000, 1000, 5000, 100, 100_000, 100_000, 1000)
QUICK = Sizes([100, 1_000, 10_000], 100, 200, 500, 20, 10_000, 10_000, 200)

type Figure = Callable[[LogWatch], Awaitable[FigureResult]]


def figures(sizes: Sizes) -> dict[str, Figure]:
    """The figures by key, in order."""
    return {
        "fig1": lambda log: fig1_poll_cost.run(log, sizes.inbox_sizes),
        "fig2": lambda log: fig2_push_latency.run(log, sizes.pushes, sizes.bursts),
        "fig3": lambda log: fig3_ingest.run(log, sizes.ingest),
        "fig4": lambda log: fig4_sending.run(log, sizes.recipients),
        "fig5": lambda log: fig5_rest_cost.run(log, sizes.ledger_messages),
        "fig6": lambda log: fig6_first_sync.run(log, sizes.history),
        "fig7": lambda log: fig7_conversation.run(log, sizes.conversation),
    }


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    memory = 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
                break
    except OSError:
        pass
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "home_assistant": HA_VERSION,
        "platform": platform.platform(),
        "rest_sensor": rest_available(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_start": _load_average(),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description=(
            "Benchmarks of the SMSMobileAPI integration against the local simulator, each "
            "side by side with the alternative a user would pick, and a fault-injection soak. "
            "Exits non-zero when an invariant breaks (lost or duplicated events, an unhandled "
            "exception, a ledger file of 1 MiB or more, events fired by a first sync, memory "
            "growing in the soak), never because of a time."
        ),
    )
    parser.add_argument(
        "--quick", action="store_true", help="every figure with small sizes (CI: under a minute)"
    )
    parser.add_argument(
        "--soak",
        type=float,
        metavar="SECONDS",
        help="run the fault-injection soak for SECONDS instead of the figures",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"soak seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--only", metavar="FIG[,FIG]", help="run only these figures (fig1 ... fig7)"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write results as JSON")
    parser.add_argument(
        "--log",
        type=Path,
        default=DEFAULT_LOG,
        metavar="PATH",
        help=f"Home Assistant's log of the run (default {DEFAULT_LOG})",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="also print Home Assistant's log to stderr"
    )
    args = parser.parse_args(argv)
    if args.soak is not None and args.soak <= 0:
        parser.error("--soak needs a positive number of seconds")
    return args


def _header(info: dict[str, Any], args: argparse.Namespace) -> str:
    mode = (
        f"soak {args.soak:g} s, seed {args.seed}"
        if args.soak
        else ("quick" if args.quick else "full")
    )
    return (
        f"SMSMobileAPI & CALLR benchmarks ({mode}) - {info['date']}\n"
        f"machine: {info['cpus']} CPUs ({info['cpu_model']}), {fmt_bytes(info['memory'])} RAM; "
        f"Python {info['python']}; Home Assistant {info['home_assistant']}; "
        f"rest sensor: {'real' if info['rest_sensor'] else 'not installed'}; "
        f"load average {' / '.join(map(str, info['load_average_start'])) or 'unknown'}\n"
    )


async def _run(args: argparse.Namespace, log: LogWatch) -> list[FigureResult]:
    if args.soak is not None:
        selected: dict[str, Figure] = {"soak": lambda watch: soak.run(watch, args.soak, args.seed)}
    else:
        selected = figures(QUICK if args.quick else FULL)
        if args.only:
            wanted = {name.strip() for name in args.only.split(",")}
            unknown = wanted - selected.keys()
            if unknown:
                raise SystemExit(f"unknown figures: {', '.join(sorted(unknown))}")
            selected = {key: run for key, run in selected.items() if key in wanted}
    results = []
    for key, figure in selected.items():
        log.clear()
        start = time.perf_counter()
        try:
            result = await figure(log)
        except Exception as err:  # noqa: BLE001 - a crashed figure is reported, the others run
            result = FigureResult(key, f"{key} crashed")
            result.failures.append(f"{type(err).__name__}: {err}")
            traceback.print_exc()
        result.seconds = time.perf_counter() - start
        out(result.render() + "\n")
        results.append(result)
    return results


def _load_average() -> list[float]:
    """The machine's load averages (1, 5, 15 minutes) at the end of the run."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return []


def out(text: str) -> None:
    """Print a line of the report now."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Run, print, write the JSON file; 1 when an invariant broke."""
    args = parse_args(argv)
    log = setup_logging(args.log, verbose=args.verbose)
    info = machine()
    out(_header(info, args))
    start = time.perf_counter()
    results = asyncio.run(_run(args, log))
    total = time.perf_counter() - start
    mode = "soak" if args.soak else ("quick" if args.quick else "full")
    judged = goals.judge({result.key: result.as_json() for result in results})
    if judged:
        out(goals.table(judged, mode).render() + "\n")
    broken = [(r.key, failure) for r in results for failure in r.failures]
    out(f"total {total:.1f} s; Home Assistant's log: {args.log}")
    if broken:
        out(f"{len(broken)} invariant(s) broken:")
        for key, failure in broken:
            out(f"  {key}: {failure}")
    else:
        out("all invariants hold")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "schema": SCHEMA,
            "machine": info | {"load_average_end": _load_average()},
            "mode": mode,
            "seed": args.seed,
            "seconds": round(total, 3),
            "figures": {result.key: result.as_json() for result in results},
            "goals": judged,
            "invariants_hold": not broken,
        }
        args.json.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
