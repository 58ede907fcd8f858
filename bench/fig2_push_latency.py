"""Figure 2: webhook POST to ``smsmobileapi_sms_received`` on the bus, through the real HTTP stack.

One request at a time over a kept-alive connection, as the service delivers them. Three numbers per
request: POST to event (end to end), POST to response, and the time spent in this integration's
webhook handler (the registered handler is wrapped with a timer; it includes reading the body,
the signature check, parsing, the ledger and firing the event).

The same for CALLR: its signed ``sms.mo`` deliveries (``X-CALLR-HmacSignature``) to a CALLR
entry. Then bursts: N pushes at once (100 connections), until every SMS is on the bus exactly
once. For each series, the longest event-loop stall (a 5 ms ticker's worst delay). The
simulators run in their own processes (``bench.simproc``): a legacy push is confirmed with the
service, whose answer grows with the inbox.

Alternatives, in the same run: a plain webhook-trigger automation firing an event (no signature,
no parsing, no de-duplication), and polling with the ``rest`` sensor, whose latency is the wait
for its next poll (uniform over its default 30 s interval) plus one poll, measured here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import dataclasses
from datetime import UTC, datetime
import json
import time
from typing import Any

from aiohttp import web
from homeassistant.core import Event, HomeAssistant, callback

from custom_components.smsmobileapi.const import (
    CONF_WEBHOOK_SECRET,
    EVENT_SMS_RECEIVED,
    PROVIDER_CALLR,
    PROVIDER_SMSMOBILEAPI,
)
from smsmobileapi_simulator import build_v2_request

from .harness import (
    API_KEY,
    CALLR_WEBHOOK_ID,
    RAW_EVENT,
    RAW_WEBHOOK_ID,
    WEBHOOK_ID,
    Home,
    LogWatch,
    LoopLag,
    RemoteEnv,
    callr_delivery_of,
    describe,
    remote_env,
)
from .report import (
    FigureResult,
    Table,
    fmt_int,
    fmt_ms,
    full_collections_note,
    percentile,
    ratio,
)

SECRET = "whsec-bench-0123456789"  # noqa: S105 - a test secret for the simulator
REST_SCAN_INTERVAL = 30.0  # the rest sensor's default
HANDLER_GOAL = 0.002
# A burst's pushes come over this many connections at once (a service's delivery workers;
# the senders of figure 3).
BURST_SENDERS = 20

type Handler = Callable[[HomeAssistant, str, web.Request], Awaitable[web.Response | None]]


class HandlerTimer:
    """Wrap the registered handler of a webhook and keep how long each call took."""

    def __init__(self, env: Home, webhook_id: str) -> None:
        """Wrap ``webhook_id``'s handler now."""
        self.durations: list[float] = []
        handlers: dict[str, Any] = env.hass.data["webhook"]
        registered = handlers[webhook_id]
        inner: Handler = (
            registered["handler"] if isinstance(registered, dict) else registered.handler
        )

        async def timed(
            hass: HomeAssistant, hook_id: str, request: web.Request
        ) -> web.Response | None:
            start = time.perf_counter()
            try:
                return await inner(hass, hook_id, request)
            finally:
                self.durations.append(time.perf_counter() - start)

        # A frozen dataclass since Home Assistant 2026.x, a dict before.
        handlers[webhook_id] = (
            {**registered, "handler": timed}
            if isinstance(registered, dict)
            else dataclasses.replace(registered, handler=timed)
        )


class Arrivals:
    """When each awaited key shows up in an event's data."""

    def __init__(self, env: Home, event_type: str, field: str) -> None:
        """Listen to ``event_type`` and look at ``field``."""
        self.waiting: dict[str, asyncio.Future[float]] = {}
        self.count = 0

        @callback
        def _on_event(event: Event) -> None:
            self.count += 1
            future = self.waiting.pop(str(event.data.get(field)), None)
            if future is not None and not future.done():
                future.set_result(time.perf_counter())

        self.unsubscribe = env.hass.bus.async_listen(event_type, _on_event)

    def expect(self, key: str) -> asyncio.Future[float]:
        """A future set to the arrival time of ``key``."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[key] = future
        return future


@dataclasses.dataclass(slots=True)
class Series:
    """Per-request times of one way of pushing."""

    end_to_end: list[float] = dataclasses.field(default_factory=list)
    response: list[float] = dataclasses.field(default_factory=list)
    handler: list[float] = dataclasses.field(default_factory=list)
    statuses: set[int] = dataclasses.field(default_factory=set)
    longest_loop_stall: float = 0.0
    # The garbage collector's full collections in the series (``LoopLag.as_metrics``).
    loop: dict[str, float | int] = dataclasses.field(default_factory=dict)


type Requests = list[tuple[str, dict[str, str], bytes]]


async def _push(env: Home, arrivals: Arrivals, url: str, requests: Requests) -> Series:
    series = Series()
    async with LoopLag() as lag:
        for guid, headers, body in requests:
            arrived = arrivals.expect(guid)
            start = time.perf_counter()
            async with env.session.post(url, data=body, headers=headers) as response:
                await response.read()
                series.statuses.add(response.status)
            series.response.append(time.perf_counter() - start)
            try:
                at = await asyncio.wait_for(arrived, timeout=10)
            except TimeoutError:
                arrivals.waiting.pop(guid, None)
                continue
            series.end_to_end.append(at - start)
    series.longest_loop_stall = lag.worst
    series.loop = lag.as_metrics()
    return series


@dataclasses.dataclass(slots=True)
class Burst:
    """N pushes sent at once: how long until all were on the bus, and what fired."""

    count: int
    seconds: float
    longest_loop_stall: float
    distinct: int
    duplicated: int
    statuses: dict[int, int]
    # The garbage collector's full collections in the burst (``LoopLag.as_metrics``).
    loop: dict[str, float | int]


async def _burst(env: Home, url: str, requests: Requests) -> Burst:
    """Send every request at once (BURST_SENDERS at a time) and wait for every event."""
    counted, unsub = env.count(EVENT_SMS_RECEIVED, lambda data: data["guid"])
    statuses: dict[int, int] = {}
    expected = {guid for guid, _, _ in requests}
    senders = asyncio.Semaphore(BURST_SENDERS)

    async def post(headers: dict[str, str], body: bytes) -> None:
        async with (
            senders,
            env.session.post(url, data=body, headers=headers) as response,
        ):
            await response.read()
            statuses[response.status] = statuses.get(response.status, 0) + 1

    async with LoopLag() as lag:
        start = time.perf_counter()
        await asyncio.gather(*(post(headers, body) for _, headers, body in requests))
        deadline = start + 60
        while counted.counts.keys() < expected and time.perf_counter() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    seconds = (counted.last_new_at or time.perf_counter()) - start
    await env.hass.async_block_till_done()
    unsub()
    return Burst(
        count=len(requests),
        seconds=seconds,
        longest_loop_stall=lag.worst,
        distinct=len(expected & counted.counts.keys()),
        duplicated=counted.duplicated(),
        statuses=statuses,
        loop=lag.as_metrics(),
    )


async def _legacy_requests(env: RemoteEnv, count: int) -> Requests:
    rows = await env.sims[PROVIDER_SMSMOBILEAPI].add_sms("+32470000001", "Legacy", count)
    headers = {"Content-Type": "application/json"}
    return [(row["guid"], headers, str(row["legacy"]).encode()) for row in rows]


async def _v2_requests(env: RemoteEnv, count: int) -> Requests:
    rows = await env.sims[PROVIDER_SMSMOBILEAPI].add_sms("+32470000002", "Signed", count)
    out = []
    for row in rows:
        headers, body = build_v2_request("sms.received", row["v2"], SECRET, datetime.now(UTC))
        out.append((row["guid"], headers, body))
    return out


async def _callr_requests(env: RemoteEnv, count: int) -> Requests:
    rows = await env.sims[PROVIDER_CALLR].add_sms("+33612345678", "CALLR", count)
    out = []
    for row in rows:
        _, headers, body = callr_delivery_of(row["sms"], SECRET)
        out.append((row["guid"], headers, body))
    return out


def _row(name: str, series: Series, count: int) -> list[str]:
    handler = (
        f"{fmt_ms(percentile(series.handler, 0.5))} / {fmt_ms(percentile(series.handler, 0.99))}"
        if series.handler
        else "-"
    )
    return [
        name,
        f"{len(series.end_to_end)}/{count}",
        fmt_ms(percentile(series.end_to_end, 0.5)),
        fmt_ms(percentile(series.end_to_end, 0.99)),
        fmt_ms(percentile(series.response, 0.5)),
        handler,
        fmt_ms(series.longest_loop_stall),
    ]


def _burst_row(name: str, burst: Burst) -> list[str]:
    return [
        name,
        fmt_int(burst.count),
        f"{fmt_int(burst.distinct)} (+{burst.duplicated})",
        fmt_ms(burst.seconds),
        fmt_int(burst.count / burst.seconds if burst.seconds else 0.0),
        fmt_ms(burst.longest_loop_stall),
    ]


async def run(log: LogWatch, count: int, burst: int) -> FigureResult:
    """Push ``count`` SMS of each kind, one at a time; then bursts of ``burst`` SMS at once."""
    result = FigureResult("fig2", "2. Push latency (webhook POST -> event on the bus)")
    async with remote_env(log, PROVIDER_SMSMOBILEAPI, PROVIDER_CALLR) as env:
        entry = env.add_entry(provider=PROVIDER_SMSMOBILEAPI)
        await env.setup_entry(entry)
        callr_entry = env.add_entry({CONF_WEBHOOK_SECRET: SECRET}, provider=PROVIDER_CALLR)
        await env.setup_entry(callr_entry)
        callr_url = env.webhook_url(CALLR_WEBHOOK_ID)
        await env.setup_raw_webhook_automation()
        url = env.webhook_url()
        ours = Arrivals(env, EVENT_SMS_RECEIVED, "guid")
        raw = Arrivals(env, RAW_EVENT, "guid")
        # Warm-up (first connection, first template render) is not counted.
        await _push(env, ours, url, await _legacy_requests(env, 20))
        await _push(env, raw, env.webhook_url(RAW_WEBHOOK_ID), await _legacy_requests(env, 20))

        timer = HandlerTimer(env, WEBHOOK_ID)
        legacy = await _push(env, ours, url, await _legacy_requests(env, count))
        legacy.handler = timer.durations

        env.hass.config_entries.async_update_entry(
            entry, options={**entry.options, CONF_WEBHOOK_SECRET: SECRET}
        )
        await env.hass.async_block_till_done()
        timer = HandlerTimer(env, WEBHOOK_ID)  # an options update may have re-registered it
        signed = await _push(env, ours, url, await _v2_requests(env, count))
        signed.handler = timer.durations

        await _push(env, ours, callr_url, await _callr_requests(env, 20))  # warm-up
        timer = HandlerTimer(env, CALLR_WEBHOOK_ID)
        callr = await _push(env, ours, callr_url, await _callr_requests(env, count))
        callr.handler = timer.durations

        automation = await _push(
            env, raw, env.webhook_url(RAW_WEBHOOK_ID), await _legacy_requests(env, count)
        )

        bursts = {
            "smsmobileapi": await _burst(env, url, await _v2_requests(env, burst)),
            "callr": await _burst(env, callr_url, await _callr_requests(env, burst)),
        }

        polls: list[float] = []
        sim_url = env.sims[PROVIDER_SMSMOBILEAPI].url
        rest = await env.setup_rest_sensor_at(sim_url)
        for _ in range(20 if rest else 0):
            start = time.perf_counter()
            await env.update_rest_sensor()
            polls.append(time.perf_counter() - start)
        if not rest:
            for _ in range(20):
                start = time.perf_counter()
                async with env.session.get(f"{sim_url}/getsms/?apikey={API_KEY}") as response:
                    json.loads(await response.text())
                polls.append(time.perf_counter() - start)
        inbox_size = 40 + 3 * count + burst
        result.check(
            legacy.statuses <= {200} and signed.statuses <= {202},
            f"unexpected statuses {legacy.statuses} {signed.statuses}",
        )
        result.check(
            len(legacy.end_to_end) == count and len(signed.end_to_end) == count,
            "an SMS pushed by webhook fired no event",
        )
        result.check(callr.statuses <= {202}, f"CALLR webhook answered {callr.statuses}")
        result.check(len(callr.end_to_end) == count, "an SMS pushed by CALLR fired no event")
        for name, outcome in bursts.items():
            result.check(
                outcome.distinct == outcome.count and outcome.duplicated == 0,
                f"{name} burst: {outcome.distinct} of {outcome.count} fired, "
                f"{outcome.duplicated} twice",
            )
            result.check(
                set(outcome.statuses) <= {202}, f"{name} burst answered {outcome.statuses}"
            )
        result.check(not log.unhandled(), f"unhandled exception: {describe(log.unhandled())}")

    table = Table(
        f"{count} sequential requests each (keep-alive); times p50 unless said",
        [
            "way of pushing",
            "events",
            "POST->event p50",
            "p99",
            "POST->response",
            "handler p50/p99",
            "longest loop stall",
        ],
    )
    table.rows.append(_row("ours, legacy JSON", legacy, count))
    table.rows.append(_row("ours, Webhook V2 signed", signed, count))
    table.rows.append(_row("ours, CALLR signed sms.mo", callr, count))
    table.rows.append(_row("alt: webhook-trigger automation", automation, count))
    poll_p50, poll_p99 = percentile(polls, 0.5), percentile(polls, 0.99)
    alt_p50 = REST_SCAN_INTERVAL * 0.5 + poll_p50
    alt_p99 = REST_SCAN_INTERVAL * 0.99 + poll_p99
    table.rows.append(
        ["alt: rest sensor polling (30 s)", "-", fmt_ms(alt_p50), fmt_ms(alt_p99), "-", "-", "-"]
    )
    ours_p50 = percentile(signed.end_to_end, 0.5)
    ours_p99 = percentile(signed.end_to_end, 0.99)
    handler_p99 = percentile(signed.handler, 0.99)
    table.notes += [
        (
            f"vs rest polling: p50 {ratio(alt_p50, ours_p50)}, p99 {ratio(alt_p99, ours_p99)} "
            "faster (polling = wait for the next 30 s poll + one poll of a "
            f"{inbox_size}-SMS inbox, {fmt_ms(poll_p50)} measured"
            f"{'' if rest else ' as a plain GET: the rest integration is not installed'})"
        ),
        (
            "the bare automation's p50 is "
            f"{ratio(percentile(automation.end_to_end, 0.5), ours_p50)} ours "
            "(and it checks no signature, reads one format and fires every duplicate)"
        ),
        (
            f"handler p99 (signed) {fmt_ms(handler_p99)}: goal < 2 ms "
            f"{'met' if handler_p99 < HANDLER_GOAL else 'NOT met'}"
        ),
        full_collections_note({"legacy": legacy.loop, "signed": signed.loop, "CALLR": callr.loop}),
    ]
    result.tables.append(table)
    burst_table = Table(
        f"Bursts: {fmt_int(burst)} signed pushes sent at once over {BURST_SENDERS} connections, "
        "until each SMS fired",
        [
            "way of pushing",
            "POSTs",
            "events (+twice)",
            "wall time",
            "events/s",
            "longest loop stall",
        ],
    )
    burst_table.rows.append(_burst_row("ours, Webhook V2 signed", bursts["smsmobileapi"]))
    burst_table.rows.append(_burst_row("ours, CALLR signed sms.mo", bursts["callr"]))
    burst_table.notes.append(
        full_collections_note(
            {"SMSMobileAPI": bursts["smsmobileapi"].loop, "CALLR": bursts["callr"].loop}
        )
    )
    result.tables.append(burst_table)
    result.metrics |= {
        "count": count,
        "legacy": _metrics(legacy),
        "signed": _metrics(signed),
        "callr_signed": _metrics(callr),
        "automation": _metrics(automation),
        "bursts": {name: dataclasses.asdict(outcome) for name, outcome in bursts.items()},
        "rest_poll_seconds_p50": poll_p50,
        "rest_expected_latency_p50": alt_p50,
        "rest_expected_latency_p99": alt_p99,
    }
    return result


def _metrics(series: Series) -> dict[str, object]:
    out: dict[str, object] = {
        "end_to_end_p50": percentile(series.end_to_end, 0.5),
        "end_to_end_p99": percentile(series.end_to_end, 0.99),
        "response_p50": percentile(series.response, 0.5),
        "longest_loop_stall": series.longest_loop_stall,
        "loop": series.loop,
    }
    if series.handler:
        out |= {
            "handler_p50": percentile(series.handler, 0.5),
            "handler_p99": percentile(series.handler, 0.99),
        }
    return out
