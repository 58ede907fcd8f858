"""Figure 6: the first sync of an account with a long history.

The account holds N received SMS, one a second up to now (all of them in the last 7 days, and
all unread: the worst case), and a few calls. The entry is set up for the first time: its first
refresh reads what it needs and records it without firing anything. Counted: setup time, the
longest event-loop stall, requests and bytes, events fired (must be 0), ledger entries kept.
Then one more poll must fire nothing either. The alternative: the ``rest`` sensor's first fetch
of the same inbox (one plain fetch of the whole list). The simulator runs in its own process
(``bench.simproc``): the stall is Home Assistant's alone.

A second account shows the first sync interrupted: its phone list fails once (the SMS were already
read), the setup is retried later, and Home Assistant restarts in between (its final write
flushes the pending save of the ledger). The retried first sync must fire nothing either.
"""

from __future__ import annotations

import time
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE

from custom_components.smsmobileapi.const import (
    EVENT_CALL,
    EVENT_SMS_RECEIVED,
    PROVIDER_SMSMOBILEAPI,
)

from .harness import LogWatch, LoopLag, describe, remote_env
from .report import FigureResult, Table, fmt_bytes, fmt_int, fmt_ms, ratio

CALLS = 15


async def interrupted_first_sync(log: LogWatch, history: int) -> dict[str, Any]:
    """A first sync that fails after reading the SMS, then a restart and a retry."""
    async with remote_env(log, PROVIDER_SMSMOBILEAPI) as env:
        await env.sim.seed(history, spacing=1.0, calls=CALLS)
        await env.sim.add_fault(kind="status", path="/gateway/mobile/list/", times=1)
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
        requests0, bytes0 = await env.sim.traffic()
        async with LoopLag() as lag:
            start = time.perf_counter()
            await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
        seconds = time.perf_counter() - start
        requests1, bytes1 = await env.sim.traffic()
        unsub_sms()
        unsub_calls()
        return {
            "first_state": str(first_state),
            "state": str(entry.state),
            "seconds": seconds,
            "longest_loop_stall": lag.worst,
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
    async with remote_env(log, PROVIDER_SMSMOBILEAPI) as env:
        await env.sim.seed(history, spacing=1.0, calls=CALLS)
        sms, unsub_sms = env.count(EVENT_SMS_RECEIVED, lambda data: data["guid"])
        calls, unsub_calls = env.count(EVENT_CALL, lambda data: data["number"])
        entry = env.add_entry()
        requests0, bytes0 = await env.sim.traffic()
        async with LoopLag() as lag:
            setup = await env.setup_entry(entry)
        requests1, bytes1 = await env.sim.traffic()
        runtime = env.runtime(entry)
        ledger = len(runtime.inbox.ledger)
        first_sync_pending = runtime.inbox.first_sync
        fired_at_setup = sms.total + calls.total
        async with LoopLag() as poll_lag:
            await runtime.coordinator.async_refresh()
            await env.hass.async_block_till_done()
        fired_after = sms.total + calls.total - fired_at_setup
        unsub_sms()
        unsub_calls()

        rest_seconds: float | None = None
        rest_bytes = 0
        rest_stall = 0.0
        if await env.setup_rest_sensor_at(env.sim.url, request_timeout=120):
            before = await env.sim.traffic("/getsms/")
            async with LoopLag() as rest_lag:
                start = time.perf_counter()
                await env.update_rest_sensor()
            rest_seconds = time.perf_counter() - start
            rest_stall = rest_lag.worst
            rest_bytes = (await env.sim.traffic("/getsms/"))[1] - before[1]
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
        f"Account with {fmt_int(history)} received SMS (one a second, all unread, all inside "
        f"the last 7 days) and {CALLS} calls",
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
            fmt_ms(retried["longest_loop_stall"]),
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
                fmt_ms(rest_stall),
                "1",
                fmt_bytes(rest_bytes),
                "-",
                "-",
            ]
        )
        table.notes.append(
            f"bytes ours vs one plain fetch of the inbox: {ratio(bytes1 - bytes0, rest_bytes)} "
            "(the rest sensor pays its fetch at every poll; ours once)"
        )
    table.notes += [
        (
            f"interrupted: {fmt_int(min(history, 1000))} SMS and {CALLS} calls; the phone list "
            "fails once after the SMS were read, Home Assistant restarts (final write), the setup "
            "runs again: it must fire nothing"
        ),
        (
            "longest loop stall: the longest time Home Assistant's event loop could not run "
            "anything else (a 5 ms ticker's worst delay); the simulator is in its own process"
        ),
        (
            "ours reads the list of unread SMS (for the unread count: here the whole inbox, none "
            "is marked read) and the 15 minutes before the newest unread SMS (what later polls "
            "read again), parsed in slices; then phones and the three call logs"
        ),
    ]
    result.tables.append(table)
    result.metrics |= {
        "history": history,
        "setup_seconds": setup,
        "setup_longest_loop_stall": lag.worst,
        "next_poll_longest_loop_stall": poll_lag.worst,
        "requests": requests1 - requests0,
        "bytes": bytes1 - bytes0,
        "events_fired": fired_at_setup,
        "events_fired_next_poll": fired_after,
        "ledger_entries": ledger,
        "rest_seconds": rest_seconds,
        "rest_bytes": rest_bytes,
        "rest_longest_loop_stall": rest_stall,
        "interrupted": retried,
    }
    return result
