"""Soak with faults: SMS and calls through both paths while everything goes wrong at random.

For the given number of seconds, with a fixed seed:

* SMS and calls arrive at the simulator: most are pushed to the entry's webhook (Webhook V2,
  signed) and all of them can be polled (every second, phones and call logs every 2 s);
  some SMS are never pushed (a lost delivery), so only polling brings them;
* the simulator answers API requests with a random fault: a timeout (the client's timeout is
  shortened so that it fires), a connection reset, HTTP 500, 429 with Retry-After, malformed or
  truncated JSON, an HTML error page, a slow body;
* the webhook also gets redeliveries of SMS already delivered (new event id) and junk: random
  bytes, bad signatures, oversized bodies, a GET;
* Home Assistant "restarts" the entry at random: unload and reload with the same storage.

At the end the faults stop, the entry catches up, and: every SMS and call fired exactly once
(lost 0, duplicated 0), no unhandled exception was logged, and memory after the warm-up stayed
flat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Mapping
from datetime import UTC, datetime
from pathlib import Path
import random
import time
import tracemalloc
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

import custom_components.smsmobileapi as integration
from custom_components.smsmobileapi.api import SmsGateway, SmsMobileApiClient
from custom_components.smsmobileapi.const import (
    CONF_WEBHOOK_SECRET,
    EVENT_CALL,
    EVENT_SMS_RECEIVED,
    WEBHOOK_MAX_BODY,
)
from custom_components.smsmobileapi.coordinator import SmsMobileApiConfigEntry
from smsmobileapi_simulator import (
    Fault,
    FaultPlan,
    SimCall,
    SimReceivedSms,
    WebhookTarget,
    build_v2_request,
)
from smsmobileapi_simulator.faults import FaultKind
from smsmobileapi_simulator.webhooks import sms_event_data

from .harness import CALL_KINDS, Env, LogWatch, bench_env, describe, rss_bytes
from .report import MIB, FigureResult, Table, fmt_bytes, fmt_int

SECRET = "whsec-soak-0123456789"  # noqa: S105 - a test secret for the simulator
# The client's 30 s request timeout, shortened so that a "timeout" fault (answering after
# FAULT_DELAY) really times out within a short soak.
CLIENT_TIMEOUT = 2.0
FAULT_DELAY = 2.5
FAULT_PROBABILITY = 0.015  # per kind: with slow bodies, about 12 % of API requests fail
FAULT_KINDS: tuple[FaultKind, ...] = (
    "timeout",
    "reset",
    "status",
    "rate_limit",
    "malformed",
    "truncated",
    "html",
)
SLOW_BODY_PROBABILITY = 0.02
# About two items a second: a busy phone, kept below what the ledger can hold in the 15-minute
# re-read window (see figure 3).
PAUSE = (0.1, 0.8)
RESTART_EVERY = (4.0, 12.0)
RETRY_AFTER = 2.0
CHECK_EVERY = 0.25
CATCH_UP = 45.0
# Memory is "flat" when, after the warm-up, it grew by less than this: the memory Home Assistant
# and the integration hold (traced, the simulator's and the bench's own excluded), and the whole
# process' RSS. The ledger may still fill up to its bound after the warm-up (5 500 identities,
# a few MiB with their keys and times): a 10-minute soak grows 2-4 MiB, all of it there.
TRACED_TOLERANCE = 8 * MIB
RSS_TOLERANCE = 32 * MIB
_NOT_OURS = (
    tracemalloc.Filter(inclusive=False, filename_pattern="*smsmobileapi_simulator*"),
    tracemalloc.Filter(inclusive=False, filename_pattern="*/bench/*"),
    tracemalloc.Filter(inclusive=False, filename_pattern=tracemalloc.__file__),
    tracemalloc.Filter(inclusive=False, filename_pattern="<unknown>"),
)


def traced() -> tracemalloc.Snapshot:
    """What Home Assistant and the integration hold (not the simulator, not the bench)."""
    return tracemalloc.take_snapshot().filter_traces(_NOT_OURS)


def size(snapshot: tracemalloc.Snapshot) -> int:
    """Bytes of a snapshot."""
    return sum(stat.size for stat in snapshot.statistics("filename"))


def top_growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, count: int = 3) -> str:
    """The lines whose allocations grew most."""
    return ", ".join(
        f"{Path(stat.traceback[0].filename).name}:{stat.traceback[0].lineno} "
        f"{_signed_bytes(stat.size_diff)}"
        for stat in after.compare_to(before, "lineno")[:count]
    )


def _call_key(call_type: str, number: str, at: datetime) -> str:
    return f"{call_type}:{number}:{int(at.timestamp())}"


def _event_call_key(data: Mapping[str, Any]) -> Hashable:
    at = datetime.fromisoformat(str(data["call_at"]))
    return _call_key(str(data["call_type"]), str(data["number"]), at)


type CreateClient = Callable[[HomeAssistant, SmsMobileApiConfigEntry], SmsGateway]


def _short_timeout_client(original: CreateClient) -> CreateClient:
    def create(hass: HomeAssistant, entry: SmsMobileApiConfigEntry) -> SmsGateway:
        client = original(hass, entry)
        if isinstance(client, SmsMobileApiClient):
            client.request_timeout = CLIENT_TIMEOUT
        return client

    return create


class Soak:
    """The streams, the faults, the restarts and the bookkeeping of one soak."""

    def __init__(self, env: Env, entry_id: str, seconds: float, seed: int) -> None:
        """Prepare a soak of ``seconds`` on a loaded entry."""
        self.env = env
        self.entry_id = entry_id
        self.seconds = seconds
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible load, not a secret
        self.sms: list[SimReceivedSms] = []
        self.calls: list[SimCall] = []
        self.expected_sms: set[Hashable] = set()
        self.expected_calls: set[Hashable] = set()
        self.restarts = 0
        self.retries = 0
        self.failed_setups = 0
        self.down = 0.0
        self.redeliveries = 0
        self.junk: dict[str, int] = {}
        self.junk_statuses: dict[int, int] = {}
        self.stop = asyncio.Event()
        self.samples: list[tuple[float, int]] = []
        self.warm_up = max(5.0, seconds / 4)
        self.traced_warm: tracemalloc.Snapshot | None = None

    async def _pause(self, low: float, high: float) -> bool:
        """Sleep a random while; False once the soak is over."""
        try:
            await asyncio.wait_for(self.stop.wait(), self.rng.uniform(low, high))
        except TimeoutError:
            return True
        return False

    async def stream(self) -> None:
        """SMS (pushed or not) and calls (pushed), about two a second."""
        state, account = self.env.state, self.env.account
        index = 0
        while await self._pause(*PAUSE):
            index += 1
            roll = self.rng.random()
            number = f"+3247{index:07d}"
            if roll < 0.75:
                sms = state.add_received_sms(account, number, f"Soak {index}", push=roll < 0.6)
                self.sms.append(sms)
                self.expected_sms.add(sms.guid)
            else:
                kind = self.rng.choice(CALL_KINDS)
                call = state.add_call(account, kind, number, duration=index % 60, push=True)
                self.calls.append(call)
                self.expected_calls.add(_call_key(kind, number, call.at))

    async def meddle(self) -> None:
        """Redeliveries of SMS already sent, and junk, at the entry's webhook."""
        url = self.env.webhook_url()
        while await self._pause(0.1, 0.6):
            if self.sms and self.rng.random() < 0.4:
                sms = self.rng.choice(self.sms)
                headers, body = build_v2_request(
                    "sms.received", sms_event_data(sms), SECRET, datetime.now(UTC)
                )
                await self._post(url, headers, body, "redelivery")
                self.redeliveries += 1
                continue
            kind = self.rng.choice(("bytes", "bad_signature", "oversized", "get", "stale"))
            headers = {"Content-Type": "application/json"}
            body = self.rng.randbytes(self.rng.randint(0, 300))
            if kind in {"bad_signature", "stale"}:
                sms = self.env.state.add_received_sms(self.env.account, "+32470999999", "x")
                self.env.account.received.remove(sms)  # never in the inbox: must never fire
                at = datetime.now(UTC)
                if kind == "stale":
                    at = at.replace(year=at.year - 1)
                headers, body = build_v2_request(
                    "sms.received", sms_event_data(sms), SECRET if kind == "stale" else "x", at
                )
            elif kind == "oversized":
                body = b'{"message":"' + b"x" * (WEBHOOK_MAX_BODY + 10) + b'"}'
            if kind == "get":
                async with self.env.session.get(url) as response:
                    await response.read()
                    self._count_junk(kind, response.status)
            else:
                await self._post(url, headers, body, kind)

    async def _post(self, url: str, headers: dict[str, str], body: bytes, kind: str) -> None:
        try:
            async with self.env.session.post(url, data=body, headers=headers) as response:
                await response.read()
                self._count_junk(kind, response.status)
        except OSError as err:  # the entry may be between unload and reload
            self._count_junk(f"{kind}: {type(err).__name__}", 0)

    def _count_junk(self, kind: str, status: int) -> None:
        self.junk[kind] = self.junk.get(kind, 0) + 1
        if kind != "redelivery":
            self.junk_statuses[status] = self.junk_statuses.get(status, 0) + 1

    async def restart(self) -> None:
        """Unload and reload the entry with the same storage, at random.

        A restart whose setup fails leaves the entry waiting for Home Assistant's retry (5 s,
        then longer and longer); after RETRY_AFTER seconds of that it is set up again, as a
        user or the next restart would, so that the entry spends the soak mostly loaded.
        """
        hass = self.env.hass
        loop = asyncio.get_running_loop()
        next_restart = loop.time() + self.rng.uniform(*RESTART_EVERY)
        retrying_since: float | None = None
        while await self._pause(CHECK_EVERY, CHECK_EVERY):
            now = loop.time()
            entry = hass.config_entries.async_get_entry(self.entry_id)
            state = entry.state if entry is not None else None
            if state is not ConfigEntryState.LOADED:
                self.down += CHECK_EVERY
            if state is ConfigEntryState.SETUP_RETRY:
                retrying_since = retrying_since or now
                if now - retrying_since < RETRY_AFTER:
                    continue
                self.retries += 1
            elif now < next_restart:
                continue
            else:
                self.restarts += 1
                next_restart = now + self.rng.uniform(*RESTART_EVERY)
            retrying_since = None
            await hass.config_entries.async_reload(self.entry_id)
            await hass.async_block_till_done()
            if entry is not None and entry.state is not ConfigEntryState.LOADED:
                self.failed_setups += 1

    async def sample_memory(self) -> None:
        """RSS every second; the traced memory once, at the end of the warm-up."""
        start = time.perf_counter()
        while await self._pause(1.0, 1.0):
            at = time.perf_counter() - start
            self.samples.append((at, rss_bytes()))
            if self.traced_warm is None and at >= self.warm_up:
                self.traced_warm = traced()


async def run(log: LogWatch, seconds: float, seed: int) -> FigureResult:
    """Soak for ``seconds`` with ``seed``."""
    result = FigureResult("soak", f"Soak with faults ({seconds:g} s, seed {seed})")
    original_create = integration.create_client
    integration.create_client = _short_timeout_client(original_create)  # type: ignore[assignment]
    try:
        async with bench_env(log, seed=seed) as env:
            outcome = await _soak(env, log, seconds, seed, result)
    finally:
        integration.create_client = original_create
    result.metrics |= outcome
    return result


async def _soak(
    env: Env, log: LogWatch, seconds: float, seed: int, result: FigureResult
) -> dict[str, Any]:
    hass = env.hass
    entry = env.add_entry(
        {CONF_WEBHOOK_SECRET: SECRET, "scan_interval": 1, "slow_scan_interval": 2}
    )
    env.state.webhook = WebhookTarget(env.webhook_url(), "v2", SECRET)
    await env.setup_entry(entry)
    sms_seen, unsub_sms = env.count(EVENT_SMS_RECEIVED, lambda data: data["guid"])
    calls_seen, unsub_calls = env.count(EVENT_CALL, _event_call_key)
    env.state.faults = CountingFaultPlan(env.state.faults.rng)
    for kind in FAULT_KINDS:
        env.state.faults.add(
            Fault(
                kind=kind,
                times=None,
                probability=FAULT_PROBABILITY,
                delay=FAULT_DELAY,
                retry_after=1,
            )
        )
    env.state.faults.add(
        Fault(
            kind="slow_body",
            times=None,
            probability=SLOW_BODY_PROBABILITY,
            chunk_size=256,
            chunk_delay=0.02,
        )
    )
    soak = Soak(env, entry.entry_id, seconds, seed)
    log.clear()
    tracemalloc.start()
    started = time.perf_counter()
    tasks = [
        asyncio.create_task(job())
        for job in (soak.stream, soak.meddle, soak.restart, soak.sample_memory)
    ]
    await asyncio.sleep(seconds)
    soak.stop.set()
    await asyncio.gather(*tasks)
    faulted = _fault_count(env)
    end_snapshot = traced()
    tracemalloc.stop()
    warm_snapshot = soak.traced_warm if soak.traced_warm is not None else end_snapshot
    traced_warm, traced_end = size(warm_snapshot), size(end_snapshot)
    growth_by_line = top_growth(warm_snapshot, end_snapshot)

    # Catch up: no more faults, the entry loaded, then poll until everything arrived.
    env.state.faults.clear()
    await env.server.drain_webhooks()
    if entry.state is not ConfigEntryState.LOADED:
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
    deadline = time.perf_counter() + CATCH_UP
    while time.perf_counter() < deadline and (  # noqa: ASYNC110 - counters fed by callbacks
        sms_seen.counts.keys() < soak.expected_sms or calls_seen.counts.keys() < soak.expected_calls
    ):
        await asyncio.sleep(0.5)
    await asyncio.sleep(3)  # a few more polls: a late duplicate would show now
    await hass.async_block_till_done()
    unsub_sms()
    unsub_calls()
    elapsed = time.perf_counter() - started

    lost_sms, dup_sms = sms_seen.lost(soak.expected_sms), sms_seen.duplicated()
    lost_calls, dup_calls = calls_seen.lost(soak.expected_calls), calls_seen.duplicated()
    strays = sms_seen.unexpected(soak.expected_sms) + calls_seen.unexpected(soak.expected_calls)
    unhandled = log.unhandled()
    handled = len(log.errors()) - len(unhandled)
    warm = next((s for s in soak.samples if s[0] >= soak.warm_up), (0.0, rss_bytes()))
    end = soak.samples[-1] if soak.samples else (0.0, rss_bytes())
    rss_growth = end[1] - warm[1]
    traced_growth = traced_end - traced_warm

    result.check(lost_sms == 0, f"{lost_sms} SMS lost")
    result.check(
        dup_sms == 0,
        f"{dup_sms} SMS fired more than once ({sms_seen.explain_duplicates()})",
    )
    result.check(lost_calls == 0, f"{lost_calls} calls lost")
    result.check(
        dup_calls == 0,
        f"{dup_calls} calls fired more than once ({calls_seen.explain_duplicates()})",
    )
    result.check(strays == 0, f"{strays} events for items nobody sent")
    result.check(not unhandled, f"{len(unhandled)} unhandled exceptions: {describe(unhandled)}")
    result.check(
        set(soak.junk_statuses) <= {0, 200, 202, 400, 401, 405, 413},
        f"junk answered {soak.junk_statuses}",
    )
    result.check(
        rss_growth < RSS_TOLERANCE and traced_growth < TRACED_TOLERANCE,
        f"memory grew after the warm-up: Home Assistant and the integration "
        f"{fmt_bytes(traced_growth)}, RSS {fmt_bytes(rss_growth)}",
    )
    table = Table(
        f"{seconds:g} s of faults, then catch-up; {elapsed:.1f} s in all",
        ["what", "sent", "fired", "lost", "duplicated"],
    )
    table.rows += [
        [
            "SMS (webhook + poll, or poll only)",
            fmt_int(len(soak.expected_sms)),
            fmt_int(sms_seen.total),
            fmt_int(lost_sms),
            fmt_int(dup_sms),
        ],
        [
            "calls (webhook + poll)",
            fmt_int(len(soak.expected_calls)),
            fmt_int(calls_seen.total),
            fmt_int(lost_calls),
            fmt_int(dup_calls),
        ],
    ]
    table.notes += [
        (
            f"API requests answered with a fault: {fmt_int(faulted)} "
            f"of {fmt_int(env.traffic()[0])}; restarts: {soak.restarts}; setups that failed on "
            f"a fault: {soak.failed_setups} (set up again after {RETRY_AFTER:g} s: "
            f"{soak.retries}); entry not loaded {soak.down / seconds:.0%} of the time"
        ),
        (
            f"webhook redeliveries: {soak.redeliveries}; junk requests by kind: "
            f"{ {k: v for k, v in sorted(soak.junk.items()) if k != 'redelivery'} }; "
            f"their statuses: {dict(sorted(soak.junk_statuses.items()))}"
        ),
        (
            f"log: {len(unhandled)} unhandled exceptions, {handled} handled errors "
            "(failed polls and setups, as expected)"
        ),
        (
            f"memory after warm-up ({warm[0]:.0f} s) -> end: held by Home Assistant and the "
            f"integration {fmt_bytes(traced_warm)} -> {fmt_bytes(traced_end)} "
            f"({_signed_bytes(traced_growth)}); process RSS {fmt_bytes(warm[1])} -> "
            f"{fmt_bytes(end[1])}; most growth: {growth_by_line}"
        ),
    ]
    result.tables.append(table)
    return {
        "seconds": seconds,
        "seed": seed,
        "sms": len(soak.expected_sms),
        "calls": len(soak.expected_calls),
        "lost_sms": lost_sms,
        "duplicated_sms": dup_sms,
        "lost_calls": lost_calls,
        "duplicated_calls": dup_calls,
        "faults": faulted,
        "requests": env.traffic()[0],
        "restarts": soak.restarts,
        "failed_setups": soak.failed_setups,
        "setup_retries": soak.retries,
        "not_loaded_seconds": soak.down,
        "unhandled": len(unhandled),
        "handled_errors": handled,
        "rss_warm": warm[1],
        "rss_end": end[1],
        "traced_warm": traced_warm,
        "traced_end": traced_end,
        "traced_top_growth": growth_by_line,
        "memory_samples": soak.samples,
    }


class CountingFaultPlan(FaultPlan):
    """The simulator's fault plan, counting the faults it hands out."""

    handed_out = 0

    def take(self, path: str) -> Fault | None:
        """The planned fault for this request, if any (counted)."""
        fault = super().take(path)
        if fault is not None:
            self.handed_out += 1
        return fault


def _fault_count(env: Env) -> int:
    faults = env.state.faults
    return faults.handed_out if isinstance(faults, CountingFaultPlan) else 0


def _signed_bytes(value: int) -> str:
    return ("+" if value >= 0 else "-") + fmt_bytes(abs(value))
