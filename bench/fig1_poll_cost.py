"""Figure 1: what an idle poll cycle costs as the inbox grows, for both providers.

The account holds N received SMS, one a minute (a busy phone: 100 000 SMS are 69 days). The entry
is set up (its first sync reads what it needs), then idle SMS poll cycles are driven by hand. The
simulator runs in its own process (``bench.simproc``): the longest loop stall is Home Assistant's
alone, not the simulator's encoding of large answers.

Alternatives: for SMSMobileAPI, Home Assistant's ``rest`` sensor on ``/getsms/``, which downloads
the whole list at each poll; for CALLR (whose list needs a window), one plain ``GET /sms`` of the
last seven days parsed in the loop, as a ``rest`` sensor with a fixed window would. Requests and
bytes are counted by the simulator (response bodies).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import json
import time
from typing import Any

import aiohttp

from custom_components.smsmobileapi.api import ReceivedSms
from custom_components.smsmobileapi.api.callr.parsing import format_time
from custom_components.smsmobileapi.const import PROVIDER_CALLR, PROVIDER_SMSMOBILEAPI

from .harness import (
    API_KEY,
    CALLR_LOGIN,
    CALLR_PASSWORD,
    Env,
    LogWatch,
    LoopLag,
    RemoteEnv,
    describe,
    remote_env,
)
from .report import FigureResult, Table, fmt_bytes, fmt_int, fmt_ms, ratio

SPACING = timedelta(minutes=1)
GETSMS = "/getsms/"
CALLR_LIST = "GET /sms"
PROVIDERS = (PROVIDER_SMSMOBILEAPI, PROVIDER_CALLR)


def seed_inbox(env: Env, count: int, spacing: timedelta = SPACING) -> None:
    """``count`` received SMS in the in-process simulator, ``spacing`` apart, the newest now."""
    batch = env.state.add_received_bulk(env.account, count)
    now = datetime.now(UTC)
    for index, sms in enumerate(batch):
        sms.received_at = now - spacing * (count - 1 - index)


async def _alternative(env: RemoteEnv, cycles: int) -> tuple[str, list[float], float, float]:
    """(what, seconds of each poll, requests and bytes per poll) of the alternative."""
    durations: list[float] = []
    path = CALLR_LIST if env.sim.provider == PROVIDER_CALLR else GETSMS
    if env.sim.provider == PROVIDER_CALLR:
        what = "CALLR: GET /sms of the last 7 days + JSON parse, in the loop"
        auth = aiohttp.BasicAuth(CALLR_LOGIN, CALLR_PASSWORD)
        requests0, bytes0 = await env.sim.traffic(path)
        for _ in range(cycles):
            now = datetime.now(UTC)
            query = {"type": "IN", "from": format_time(now - timedelta(days=7))}
            query["to"] = format_time(now)
            start = time.perf_counter()
            async with env.session.get(f"{env.sim.url}/sms", params=query, auth=auth) as answer:
                json.loads(await answer.text())
            durations.append(time.perf_counter() - start)
    elif await env.setup_rest_sensor_at(env.sim.url, request_timeout=120):
        what = "SMSMobileAPI: Home Assistant's rest sensor on /getsms/"
        requests0, bytes0 = await env.sim.traffic(path)  # its setup polled once
        for _ in range(cycles):
            start = time.perf_counter()
            await env.update_rest_sensor()
            durations.append(time.perf_counter() - start)
    else:
        what = "SMSMobileAPI: GET /getsms/ + JSON parse (rest is not installed)"
        requests0, bytes0 = await env.sim.traffic(path)
        for _ in range(cycles):
            start = time.perf_counter()
            async with env.session.get(f"{env.sim.url}/getsms/?apikey={API_KEY}") as answer:
                json.loads(await answer.text())
            durations.append(time.perf_counter() - start)
    requests1, bytes1 = await env.sim.traffic(path)
    return what, durations, (requests1 - requests0) / cycles, (bytes1 - bytes0) / cycles


def _counting(read: Callable[..., Any], rows: list[int]) -> Callable[..., Any]:
    """Wrap ``get_received_sms`` to keep how many SMS each call gave."""

    async def counted(**kwargs: Any) -> tuple[ReceivedSms, ...]:  # noqa: ANN401
        listed: tuple[ReceivedSms, ...] = await read(**kwargs)
        rows.append(len(listed))
        return listed

    return counted


async def _one_size(
    log: LogWatch, provider: str, size: int, cycles: int, result: FigureResult
) -> dict[str, Any]:
    async with remote_env(log, provider) as env:
        await env.sim.seed(size, spacing=SPACING.total_seconds())
        entry = env.add_entry()
        await env.setup_entry(entry)
        runtime = env.runtime(entry)
        coordinator = runtime.coordinator
        rows: list[int] = []
        client: Any = runtime.client
        client.get_received_sms = _counting(client.get_received_sms, rows)
        requests0, bytes0 = await env.sim.traffic()
        durations = []
        async with LoopLag() as lag:
            for _ in range(cycles):
                start = time.perf_counter()
                await coordinator.async_refresh()
                durations.append(time.perf_counter() - start)
        requests1, bytes1 = await env.sim.traffic()
        result.check(
            coordinator.last_update_success,
            f"{provider} poll failed at {size} SMS: {describe(log.errors())}",
        )
        async with LoopLag() as alt_lag:
            what, alt_durations, alt_req, alt_bytes = await _alternative(env, cycles)
    ours_bytes = (bytes1 - bytes0) / cycles
    return {
        "provider": provider,
        "sms": size,
        "ours_requests": (requests1 - requests0) / cycles,
        "ours_bytes": ours_bytes,
        "ours_rows_reread": max(rows, default=0),
        "ours_seconds": sorted(durations)[len(durations) // 2],
        "ours_longest_loop_stall": lag.worst,
        "alternative": what,
        "alt_requests": alt_req,
        "alt_bytes": alt_bytes,
        "alt_seconds": sorted(alt_durations)[len(alt_durations) // 2],
        "alt_longest_loop_stall": alt_lag.worst,
        "bytes_ratio": alt_bytes / ours_bytes if ours_bytes else 0.0,
    }


async def run(log: LogWatch, sizes: list[int], cycles: int = 5) -> FigureResult:
    """Measure ``cycles`` idle poll cycles at each inbox size, for each provider."""
    result = FigureResult("fig1", "1. Poll cost as the inbox grows (idle SMS poll cycle)")
    table = Table(
        f"Per idle poll cycle (medians and means over {cycles} cycles; bytes = response bodies "
        "counted by the simulator, in its own process)",
        [
            "provider",
            "SMS stored",
            "ours req",
            "ours bytes",
            "rows re-read",
            "ours time",
            "ours stall",
            "alt req",
            "alt bytes",
            "alt time",
            "alt stall",
            "bytes ratio",
        ],
    )
    per_size: list[dict[str, Any]] = []
    for provider in PROVIDERS:
        for size in sizes:
            row = await _one_size(log, provider, size, cycles, result)
            per_size.append(row)
            table.rows.append(
                [
                    "CALLR" if provider == PROVIDER_CALLR else "SMSMobileAPI",
                    fmt_int(size),
                    f"{row['ours_requests']:g}",
                    fmt_bytes(row["ours_bytes"]),
                    fmt_int(row["ours_rows_reread"]),
                    fmt_ms(row["ours_seconds"]),
                    fmt_ms(row["ours_longest_loop_stall"]),
                    f"{row['alt_requests']:g}",
                    fmt_bytes(row["alt_bytes"]),
                    fmt_ms(row["alt_seconds"]),
                    fmt_ms(row["alt_longest_loop_stall"]),
                    ratio(row["alt_bytes"], row["ours_bytes"]),
                ]
            )
    unhandled = log.unhandled()
    result.check(not unhandled, f"unhandled exception: {describe(unhandled)}")
    alternatives = dict.fromkeys(row["alternative"] for row in per_size)
    table.notes += [
        f"alternatives: {'; '.join(alternatives)} (the whole list, or a week of it, every poll)",
        (
            "ours: SMSMobileAPI GET /getsms/?after_timestamp_unix=<newest seen - 15 min>, CALLR "
            "GET /sms?type=IN&from=<newest seen - 15 min>&to=<now>; the rows re-read are the "
            "15-minute overlap (late-synchronised SMS), constant whatever the inbox size"
        ),
        (
            "stall: the longest time Home Assistant's event loop could not run anything else "
            "during the polls (a 5 ms ticker's worst delay)"
        ),
        (
            "inbox: one SMS a minute, newest now; phones and call logs are polled every 5 min "
            "(4 small requests, also independent of the inbox size) and are not in these cycles"
        ),
    ]
    result.tables.append(table)
    result.metrics["sizes"] = per_size
    return result
