"""Figure 1: what an idle poll cycle costs as the inbox grows.

The inbox holds N received SMS, one a minute (a busy phone: 100 000 SMS are 69 days). The entry
is set up (its first sync reads the last 7 days), then idle SMS poll cycles are driven by hand.
The alternative is Home Assistant's ``rest`` sensor on ``/getsms/``, which downloads the whole list
at each poll. Requests and bytes are counted by the simulator (response bodies).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
import time

from custom_components.smsmobileapi.const import SYNC_OVERLAP

from .harness import API_KEY, Env, LogWatch, bench_env, describe
from .report import FigureResult, Table, fmt_bytes, fmt_int, fmt_ms, ratio

SPACING = timedelta(minutes=1)
GETSMS = "/getsms/"


def seed_inbox(env: Env, count: int, spacing: timedelta = SPACING) -> None:
    """``count`` received SMS, ``spacing`` apart, the newest now."""
    batch = env.state.add_received_bulk(env.account, count)
    now = datetime.now(UTC)
    for index, sms in enumerate(batch):
        sms.received_at = now - spacing * (count - 1 - index)


async def _alternative(env: Env, cycles: int) -> tuple[str, float, float, float]:
    """(what was measured, requests, bytes and seconds per poll) of the alternative."""
    requests0, bytes0 = env.traffic(GETSMS)
    durations: list[float] = []
    if await env.setup_rest_sensor():
        what = "HA rest sensor"
        requests0, bytes0 = env.traffic(GETSMS)  # its setup polled once
        for _ in range(cycles):
            start = time.perf_counter()
            await env.update_rest_sensor()
            durations.append(time.perf_counter() - start)
    else:
        what = "GET /getsms/ + JSON parse (rest's requirements are not installed)"
        for _ in range(cycles):
            start = time.perf_counter()
            async with env.session.get(f"{env.sim_url}/getsms/?apikey={API_KEY}") as response:
                json.loads(await response.text())
            durations.append(time.perf_counter() - start)
    requests1, bytes1 = env.traffic(GETSMS)
    return (
        what,
        (requests1 - requests0) / cycles,
        (bytes1 - bytes0) / cycles,
        sorted(durations)[len(durations) // 2],
    )


async def run(log: LogWatch, sizes: list[int], cycles: int = 5) -> FigureResult:
    """Measure ``cycles`` idle poll cycles at each inbox size."""
    result = FigureResult("fig1", "1. Poll cost as the inbox grows (idle SMS poll cycle)")
    table = Table(
        "Per idle poll cycle (means over "
        f"{cycles} cycles; bytes = response bodies counted by the simulator)",
        [
            "SMS in inbox",
            "ours req",
            "ours bytes",
            "rows re-read",
            "ours time",
            "alt req",
            "alt bytes",
            "alt time",
            "bytes ratio",
        ],
    )
    alternative_name = ""
    per_size: list[dict[str, float]] = []
    for size in sizes:
        async with bench_env(log) as env:
            seed_inbox(env, size)
            entry = env.add_entry()
            await env.setup_entry(entry)
            runtime = env.runtime(entry)
            coordinator = runtime.coordinator
            cursor = runtime.inbox.ledger.cursor("sms")
            if cursor is None:
                raise RuntimeError("the first sync read no SMS")
            cutoff = cursor - SYNC_OVERLAP + timedelta(seconds=1)
            rows = sum(1 for sms in env.account.received if sms.received_at >= cutoff)
            requests0, bytes0 = env.traffic()
            durations = []
            for _ in range(cycles):
                start = time.perf_counter()
                await coordinator.async_refresh()
                durations.append(time.perf_counter() - start)
            requests1, bytes1 = env.traffic()
            ours_req = (requests1 - requests0) / cycles
            ours_bytes = (bytes1 - bytes0) / cycles
            ours_time = sorted(durations)[len(durations) // 2]
            result.check(
                coordinator.last_update_success,
                f"poll failed at {size} SMS: {describe(log.errors())}",
            )
            alternative_name, alt_req, alt_bytes, alt_time = await _alternative(env, cycles)
            table.rows.append(
                [
                    fmt_int(size),
                    f"{ours_req:g}",
                    fmt_bytes(ours_bytes),
                    fmt_int(rows),
                    fmt_ms(ours_time),
                    f"{alt_req:g}",
                    fmt_bytes(alt_bytes),
                    fmt_ms(alt_time),
                    ratio(alt_bytes, ours_bytes),
                ]
            )
            per_size.append(
                {
                    "sms": size,
                    "ours_requests": ours_req,
                    "ours_bytes": ours_bytes,
                    "ours_rows_reread": rows,
                    "ours_seconds": ours_time,
                    "alt_requests": alt_req,
                    "alt_bytes": alt_bytes,
                    "alt_seconds": alt_time,
                    "bytes_ratio": alt_bytes / ours_bytes if ours_bytes else 0.0,
                }
            )
    table.notes += [
        f"alternative: {alternative_name}, which downloads the whole list at every poll",
        (
            "ours: GET /getsms/?after_timestamp_unix=<newest seen - 15 min>; the rows re-read are "
            "the 15-minute overlap (late-synchronised SMS), constant whatever the inbox size"
        ),
        (
            "inbox: one SMS a minute, newest now; phones and call logs are polled every 5 min "
            "(4 small requests, also independent of the inbox size) and are not in these cycles"
        ),
    ]
    result.tables.append(table)
    result.metrics["sizes"] = per_size
    result.metrics["alternative"] = alternative_name
    return result
