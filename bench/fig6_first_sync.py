"""Figure 6: the first sync of an account with a long history.

The account holds N received SMS, one a second up to now (so all of them fall in the first
sync's 7-day window: the worst case), and a few calls. The entry is set up for the first time: its
first refresh reads that history and records it without firing anything. Counted: setup time,
requests and bytes, events fired (must be 0), ledger entries kept. Then one more poll must fire
nothing either. The alternative: the ``rest`` sensor's first fetch of the same inbox.

A second account shows the first sync interrupted: its phone list fails once (the SMS were already
read), the setup is retried later, and Home Assistant restarts in between (its final write
flushes the pending save of the ledger). The retried first sync must fire nothing either.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
import time
from typing import Any, Self

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE

from custom_components.smsmobileapi.const import EVENT_CALL, EVENT_SMS_RECEIVED
from smsmobileapi_simulator import Fault

from .harness import CALL_KINDS, LogWatch, bench_env, describe
from .report import FigureResult, Table, fmt_bytes, fmt_int, fmt_ms, ratio


class LoopLag:
    """The worst delay of a 5 ms ticker while the block runs: how long the loop was blocked."""

    def __init__(self) -> None:
        """Nothing measured yet."""
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - start - 0.005)

    async def __aenter__(self) -> Self:
        """Start ticking."""
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_: object) -> None:
        """Stop ticking."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task


async def interrupted_first_sync(log: LogWatch, history: int) -> dict[str, Any]:
    """A first sync that fails after reading the SMS, then a restart and a retry."""
    async with bench_env(log) as env:
        env.state.add_received_bulk(env.account, history)
        for index, kind in enumerate(CALL_KINDS * 5):
            env.state.add_call(env.account, kind, f"+32470000{index:03d}")
        env.state.faults.add(Fault(kind="status", path="/gateway/mobile/list/", times=1))
        sms, unsub_sms = env.count(EVENT_SMS_RECEIVED, lambda data: data["guid"])
        calls, unsub_calls = env.count(EVENT_CALL, lambda data: data["number"])
        entry = env.add_entry()
        hass = env.hass
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        first_state = entry.state
        # Home Assistant restarts while the setup waits for its retry.
        await hass.config_entries.async_unload(entry.entry_id)
        hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
        await hass.async_block_till_done()
        requests0, bytes0 = env.traffic()
        start = time.perf_counter()
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        seconds = time.perf_counter() - start
        requests1, bytes1 = env.traffic()
        unsub_sms()
        unsub_calls()
        return {
            "first_state": str(first_state),
            "state": str(entry.state),
            "seconds": seconds,
            "requests": requests1 - requests0,
            "bytes": bytes1 - bytes0,
            "sms_fired": sms.total,
            "calls_fired": calls.total,
            "ledger_entries": (
                len(env.runtime(entry).inbox.ledger)
                if entry.state is ConfigEntryState.LOADED
                else 0
            ),
        }


async def run(log: LogWatch, history: int) -> FigureResult:
    """Set an entry up on an account with ``history`` received SMS."""
    result = FigureResult("fig6", "6. First sync of a long history")
    async with bench_env(log) as env:
        env.state.add_received_bulk(env.account, history)
        for index, kind in enumerate(CALL_KINDS * 5):
            env.state.add_call(env.account, kind, f"+32470000{index:03d}")
        sms, unsub_sms = env.count(EVENT_SMS_RECEIVED, lambda data: data["guid"])
        calls, unsub_calls = env.count(EVENT_CALL, lambda data: data["number"])
        entry = env.add_entry()
        requests0, bytes0 = env.traffic()
        async with LoopLag() as lag:
            setup = await env.setup_entry(entry)
        requests1, bytes1 = env.traffic()
        runtime = env.runtime(entry)
        ledger = len(runtime.inbox.ledger)
        first_sync_pending = runtime.inbox.first_sync
        fired_at_setup = sms.total + calls.total
        await runtime.coordinator.async_refresh()
        await env.hass.async_block_till_done()
        fired_after = sms.total + calls.total - fired_at_setup
        unsub_sms()
        unsub_calls()

        rest_seconds: float | None = None
        rest_bytes = 0
        if await env.setup_rest_sensor(request_timeout=120):
            before = env.traffic("/getsms/")
            start = time.perf_counter()
            async with LoopLag() as rest_lag:
                await env.update_rest_sensor()
            rest_seconds = time.perf_counter() - start
            rest_bytes = env.traffic("/getsms/")[1] - before[1]
        unhandled = log.unhandled()
    retried = await interrupted_first_sync(log, min(history, 1000))
    unhandled += log.unhandled()
    retried_fired = retried["sms_fired"] + retried["calls_fired"]

    result.check(fired_at_setup == 0, f"the first sync fired {fired_at_setup} events")
    result.check(fired_after == 0, f"the poll after the first sync fired {fired_after} events")
    result.check(
        retried_fired == 0,
        f"a first sync retried after a restart fired {retried['sms_fired']} SMS and "
        f"{retried['calls_fired']} calls of the history",
    )
    result.check(not first_sync_pending, "the first sync was not recorded as done")
    result.check(not unhandled, f"unhandled exception: {describe(unhandled)}")
    table = Table(
        f"Account with {fmt_int(history)} received SMS (one a second, all inside the 7-day "
        "first-sync window) and 15 calls",
        ["what", "time", "longest loop stall", "requests", "bytes", "events fired", "ledger kept"],
    )
    table.rows.append(
        [
            "ours: first setup (first sync)",
            fmt_ms(setup),
            fmt_ms(lag.worst),
            fmt_int(requests1 - requests0),
            fmt_bytes(bytes1 - bytes0),
            f"{fired_at_setup} (+{fired_after} next poll)",
            fmt_int(ledger),
        ]
    )
    table.rows.append(
        [
            "ours: first sync interrupted, restart, retry",
            fmt_ms(retried["seconds"]),
            "-",
            fmt_int(retried["requests"]),
            fmt_bytes(retried["bytes"]),
            f"{retried['sms_fired']} SMS + {retried['calls_fired']} calls",
            fmt_int(retried["ledger_entries"]),
        ]
    )
    if rest_seconds is not None:
        table.rows.append(
            [
                "alt: rest sensor, one fetch",
                fmt_ms(rest_seconds),
                fmt_ms(rest_lag.worst),
                "1",
                fmt_bytes(rest_bytes),
                "-",
                "-",
            ]
        )
        table.notes.append(
            f"time ours vs one rest fetch: {ratio(rest_seconds, setup)} (the rest sensor pays "
            "this at every poll; ours once)"
        )
    table.notes.append(
        f"interrupted: {fmt_int(min(history, 1000))} SMS and 15 calls; the phone list fails "
        "once after the SMS were read, Home Assistant restarts (final write), the setup runs "
        "again: it must fire nothing"
    )
    table.notes.append(
        "longest loop stall: the longest time Home Assistant's event loop could not run "
        "anything else (a 5 ms ticker's worst delay)"
    )
    table.notes.append(
        "ours reads the 7-day window once and the unread list once (two full reads here), "
        "phones and the three call logs; later polls read only the 15-minute overlap"
    )
    result.tables.append(table)
    result.metrics |= {
        "history": history,
        "setup_seconds": setup,
        "setup_longest_loop_stall": lag.worst,
        "requests": requests1 - requests0,
        "bytes": bytes1 - bytes0,
        "events_fired": fired_at_setup,
        "events_fired_next_poll": fired_after,
        "ledger_entries": ledger,
        "rest_seconds": rest_seconds,
        "rest_bytes": rest_bytes,
        "interrupted": retried,
    }
    return result
