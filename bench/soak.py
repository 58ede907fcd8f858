"""Soak with faults: an SMSMobileAPI entry and a CALLR entry side by side, everything going wrong.

For the given number of seconds, with a fixed seed:

* SMS and calls arrive at the SMSMobileAPI simulator: most are pushed to its entry's webhook
  (Webhook V2, signed) and all of them can be polled (every second, phones and call logs every
  2 s); some SMS are never pushed (a lost delivery), so only polling brings them;
* SMS arrive at the CALLR simulator: most are pushed by CALLR's own webhook pusher (signed
  ``sms.mo``, retried with backoff when the entry does not answer 2xx), the others only polled;
* both simulators answer API requests with a random fault: a timeout (the clients' timeout is
  shortened so that it fires), a connection reset, HTTP 500, 429 with Retry-After, malformed or
  truncated JSON, an HTML error page, a slow body;
* both webhooks also get redeliveries of SMS already delivered (new event id; for CALLR also
  retries of the same event) and junk: random bytes, bad signatures, oversized bodies, a GET;
* Home Assistant "restarts" each entry at random: unload and reload with the same storage.

At the end the faults stop, the entries catch up, and the checks of ``CHECKS`` run: every SMS
and call fired exactly once (lost 0, duplicated 0, nothing fired that nobody sent), no unhandled
exception was logged, junk got only 4xx (or 2xx for a replay), and memory after the warm-up
stayed flat. The longest event-loop stall of the whole soak is reported (the simulators run in
the same loop: it includes their work), never checked.

Both entries have recipients allowed to talk to an Assist agent (``assist.EchoAgent``): some of
the SMS come from their numbers, and so do the forged pushes. Two more checks: no message
answered twice (by the agent, or on the bus), and no forged message answered.

Extension points: a feature adds its own arrivals to ``Soak.streams`` (``Stream``: what was sent
and what fired, by key) and its own checks to ``CHECKS``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
import random
import time
import tracemalloc
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

import custom_components.smsmobileapi as integration
from custom_components.smsmobileapi.api import CallrClient, SmsGateway, SmsMobileApiClient
from custom_components.smsmobileapi.const import (
    CONF_WEBHOOK_SECRET,
    EVENT_CALL,
    EVENT_SMS_RECEIVED,
    PROVIDER_CALLR,
    PROVIDER_SMSMOBILEAPI,
    WEBHOOK_MAX_BODY,
)
from custom_components.smsmobileapi.coordinator import SmsMobileApiConfigEntry
from smsmobileapi_simulator import (
    Fault,
    FaultPlan,
    SimReceivedSms,
    WebhookTarget,
    build_v2_request,
)
from smsmobileapi_simulator.callr import CallrSms
from smsmobileapi_simulator.faults import FaultKind
from smsmobileapi_simulator.webhooks import sms_event_data

from .assist import Answers, async_setup_talking_entries
from .harness import (
    CALL_KINDS,
    CALLR_WEBHOOK_ID,
    Counted,
    Env,
    LogWatch,
    LoopLag,
    bench_env,
    callr_delivery,
    describe,
    rss_bytes,
)
from .report import (
    MIB,
    FigureResult,
    Table,
    fmt_bytes,
    fmt_int,
    fmt_ms,
    full_collections_note,
)

SECRET = "whsec-soak-0123456789"  # noqa: S105 - a test secret for the simulator
# Recipients allowed to talk to Assist, and the share of SMS that come from them.
ALLOWED = {
    PROVIDER_SMSMOBILEAPI: ("+32471000011", "+32471000012", "+32471000013"),
    PROVIDER_CALLR: ("+33612000011", "+33612000012", "+33612000013"),
}
ALLOWED_SHARE = 0.2
# The clients' 30 s request timeout, shortened so that a "timeout" fault (answering after
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
# About two items a second at each provider: a busy account, kept below what the ledger can
# hold in the 15-minute re-read window (see figure 3).
PAUSE = (0.1, 0.8)
RESTART_EVERY = (4.0, 12.0)
RETRY_AFTER = 2.0
CHECK_EVERY = 0.25
CATCH_UP = 45.0
# CALLR's pusher retries a failed delivery after 0.5, 1, 2, 4 and 8 s (six tries in all).
CALLR_BACKOFF = 0.5
# Memory is "flat" when, after the warm-up, it grew by less than this: the memory Home Assistant
# and the integration hold (traced, the simulators' and the bench's own excluded), and the whole
# process' RSS. Each entry's ledger may still fill up to its bound after the warm-up (5 500
# identities, a few MiB with their keys and times): a 10-minute soak of one entry grows 2-4 MiB,
# all of it there; there are two entries.
TRACED_TOLERANCE = 12 * MIB
RSS_TOLERANCE = 48 * MIB
# What junk may be answered: refused (4xx), or taken as a replay (200, 202); 0 = the connection
# broke (the entry was reloading).
JUNK_STATUSES = frozenset({0, 200, 202, 400, 401, 405, 413})
_NOT_OURS = (
    tracemalloc.Filter(inclusive=False, filename_pattern="*smsmobileapi_simulator*"),
    tracemalloc.Filter(inclusive=False, filename_pattern="*/bench/*"),
    tracemalloc.Filter(inclusive=False, filename_pattern=tracemalloc.__file__),
    tracemalloc.Filter(inclusive=False, filename_pattern="<unknown>"),
)


def traced() -> tracemalloc.Snapshot:
    """What Home Assistant and the integration hold (not the simulators, not the bench)."""
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
        if isinstance(client, SmsMobileApiClient | CallrClient):
            client.request_timeout = CLIENT_TIMEOUT
        return client

    return create


@dataclass(slots=True)
class Stream:
    """One kind of item of the soak: what was sent (by key) and what fired (``seen``)."""

    name: str
    seen: Counted
    expected: set[Hashable] = field(default_factory=set)


@dataclass(slots=True)
class Entry:
    """One config entry of the soak and what happened to it."""

    provider: str
    entry_id: str
    webhook_url: str
    restarts: int = 0
    retries: int = 0
    failed_setups: int = 0
    down: float = 0.0


class Soak:
    """The streams, the faults, the restarts and the bookkeeping of one soak."""

    def __init__(
        self, env: Env, entries: list[Entry], seconds: float, seed: int, answers: Answers
    ) -> None:
        """Prepare a soak of ``seconds`` on loaded entries (``answers``: Assist's record)."""
        self.env = env
        self.answers = answers
        # The texts of forged pushes (from allowed numbers), and of the SMS of allowed numbers.
        self.forged: list[str] = []
        self.allowed_sent = 0
        self.entries = entries
        self.seconds = seconds
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible load, not a secret
        self.streams: dict[str, Stream] = {}
        self.sms: list[SimReceivedSms] = []
        self.callr_sms: list[CallrSms] = []
        self.redeliveries = 0
        self.junk: dict[str, int] = {}
        self.junk_statuses: dict[int, int] = {}
        self.stop = asyncio.Event()
        self.samples: list[tuple[float, int]] = []
        self.warm_up = max(5.0, seconds / 4)
        self.traced_warm: tracemalloc.Snapshot | None = None
        # The stall meter of the soak (set when it starts): the memory snapshot is left out.
        self.lag: LoopLag | None = None

    def stream(self, name: str) -> Stream:
        """The stream of that name."""
        return self.streams[name]

    async def _pause(self, low: float, high: float) -> bool:
        """Sleep a random while; False once the soak is over."""
        try:
            await asyncio.wait_for(self.stop.wait(), self.rng.uniform(low, high))
        except TimeoutError:
            return True
        return False

    async def arrive(self) -> None:
        """SMS (pushed or not) and calls (pushed) at SMSMobileAPI, about two a second."""
        state, account = self.env.state, self.env.account
        sms_stream, calls = self.stream("SMSMobileAPI SMS"), self.stream("SMSMobileAPI calls")
        index = 0
        while await self._pause(*PAUSE):
            index += 1
            roll = self.rng.random()
            number = f"+3247{index:07d}"
            if roll < 0.75:
                if self.rng.random() < ALLOWED_SHARE:
                    number = self.rng.choice(ALLOWED[PROVIDER_SMSMOBILEAPI])
                    self.allowed_sent += 1
                sms = state.add_received_sms(account, number, f"Soak {index}", push=roll < 0.6)
                self.sms.append(sms)
                sms_stream.expected.add((PROVIDER_SMSMOBILEAPI, sms.guid))
            else:
                kind = self.rng.choice(CALL_KINDS)
                call = state.add_call(account, kind, number, duration=index % 60, push=True)
                calls.expected.add(_call_key(kind, number, call.at))

    async def arrive_callr(self) -> None:
        """SMS at CALLR, about two a second; four in five pushed by CALLR's own pusher."""
        side = self.env.callr_side()
        stream = self.stream("CALLR SMS")
        index = 0
        while await self._pause(*PAUSE):
            index += 1
            push = self.rng.random() < 0.8
            number = f"+3361{index:07d}"
            if self.rng.random() < ALLOWED_SHARE:
                number = self.rng.choice(ALLOWED[PROVIDER_CALLR])
                self.allowed_sent += 1
            sms = side.state.add_incoming(side.account, number, f"Soak CALLR {index}", push=push)
            self.callr_sms.append(sms)
            stream.expected.add((PROVIDER_CALLR, sms.hash))

    async def meddle(self) -> None:
        """Redeliveries of SMS already sent, and junk, at both entries' webhooks."""
        while await self._pause(0.1, 0.6):
            entry = self.rng.choice(self.entries)
            if self.rng.random() < 0.4 and (request := self._redelivery(entry)) is not None:
                await self._post(entry.webhook_url, *request, "redelivery")
                self.redeliveries += 1
                continue
            kind = self.rng.choice(("bytes", "bad_signature", "oversized", "get", "stale"))
            headers = {"Content-Type": "application/json"}
            body = self.rng.randbytes(self.rng.randint(0, 300))
            if kind in {"bad_signature", "stale"}:
                headers, body = self._forged(entry, stale=kind == "stale")
            elif kind == "oversized":
                body = b'{"message":"' + b"x" * (WEBHOOK_MAX_BODY + 10) + b'"}'
            if kind == "get":
                async with self.env.session.get(entry.webhook_url) as response:
                    await response.read()
                    self._count_junk(kind, response.status)
            else:
                await self._post(entry.webhook_url, headers, body, kind)

    def _redelivery(self, entry: Entry) -> tuple[dict[str, str], bytes] | None:
        """An SMS already sent, pushed again (CALLR: sometimes a retry of the same event)."""
        if entry.provider == PROVIDER_CALLR:
            if not self.callr_sms:
                return None
            sms = self.rng.choice(self.callr_sms)
            try_number = self.rng.randint(0, 3)
            _, headers, body = callr_delivery(
                self.env.callr_side(), sms, SECRET, try_number=try_number
            )
            return headers, body
        if not self.sms:
            return None
        data = sms_event_data(self.rng.choice(self.sms))
        return build_v2_request("sms.received", data, SECRET, datetime.now(UTC))

    def _forged(self, entry: Entry, *, stale: bool) -> tuple[dict[str, str], bytes]:
        """A push of an SMS nobody received: badly signed, or (SMSMobileAPI) signed but old.

        From a number allowed to talk to Assist: answering it would obey a forger.
        """
        number = self.rng.choice(ALLOWED[entry.provider])
        text = f"Forged {len(self.forged)}"
        self.forged.append(text)
        if entry.provider == PROVIDER_CALLR:
            side = self.env.callr_side()
            forged = side.state.add_incoming(side.account, number, text, push=False)
            del side.account.sms[forged.hash]  # never in the inbox: must never fire
            _, headers, body = callr_delivery(side, forged, "x" if not stale else SECRET + "x")
            return headers, body
        sms = self.env.state.add_received_sms(self.env.account, number, text)
        self.env.account.received.remove(sms)  # never in the inbox: must never fire
        at = datetime.now(UTC)
        if stale:
            at = at.replace(year=at.year - 1)
        return build_v2_request("sms.received", sms_event_data(sms), SECRET if stale else "x", at)

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

    async def restart(self, soaked: Entry) -> None:
        """Unload and reload an entry with the same storage, at random.

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
            entry = hass.config_entries.async_get_entry(soaked.entry_id)
            state = entry.state if entry is not None else None
            if state is not ConfigEntryState.LOADED:
                soaked.down += CHECK_EVERY
            if state is ConfigEntryState.SETUP_RETRY:
                retrying_since = retrying_since or now
                if now - retrying_since < RETRY_AFTER:
                    continue
                soaked.retries += 1
            elif now < next_restart:
                continue
            else:
                soaked.restarts += 1
                next_restart = now + self.rng.uniform(*RESTART_EVERY)
            retrying_since = None
            await hass.config_entries.async_reload(soaked.entry_id)
            await hass.async_block_till_done()
            if entry is not None and entry.state is not ConfigEntryState.LOADED:
                soaked.failed_setups += 1

    async def sample_memory(self) -> None:
        """RSS every second; the traced memory once, at the end of the warm-up."""
        start = time.perf_counter()
        while await self._pause(1.0, 1.0):
            at = time.perf_counter() - start
            self.samples.append((at, rss_bytes()))
            if self.traced_warm is None and at >= self.warm_up:
                # Filtering every trace of the process blocks the loop for a while: the bench's
                # own work, not counted in the stall.
                with self.lag.bench_work() if self.lag is not None else nullcontext():
                    self.traced_warm = traced()


@dataclass(slots=True)
class SoakRun:
    """What a finished soak tells the checks."""

    soak: Soak
    unhandled: list[Any]
    traced_growth: int
    rss_growth: int


type Check = Callable[[SoakRun], Iterable[tuple[bool, str]]]


def _exactly_once(run: SoakRun) -> Iterable[tuple[bool, str]]:
    for stream in run.soak.streams.values():
        lost, duplicated = stream.seen.lost(stream.expected), stream.seen.duplicated()
        strays = stream.seen.unexpected(stream.expected)
        yield lost == 0, f"{stream.name}: {lost} lost"
        yield (
            duplicated == 0,
            (
                f"{stream.name}: {duplicated} fired more than once "
                f"({stream.seen.explain_duplicates()})"
            ),
        )
        yield strays == 0, f"{stream.name}: {strays} events for items nobody sent"


def _no_unhandled_exception(run: SoakRun) -> Iterable[tuple[bool, str]]:
    yield (
        not run.unhandled,
        f"{len(run.unhandled)} unhandled exceptions: {describe(run.unhandled)}",
    )


def _junk_refused(run: SoakRun) -> Iterable[tuple[bool, str]]:
    statuses = run.soak.junk_statuses
    yield set(statuses) <= JUNK_STATUSES, f"junk answered {statuses}"


def _memory_flat(run: SoakRun) -> Iterable[tuple[bool, str]]:
    yield (
        run.rss_growth < RSS_TOLERANCE and run.traced_growth < TRACED_TOLERANCE,
        (
            f"memory grew after the warm-up: Home Assistant and the integration "
            f"{fmt_bytes(run.traced_growth)}, RSS {fmt_bytes(run.rss_growth)}"
        ),
    )


def _never_answered_twice(run: SoakRun) -> Iterable[tuple[bool, str]]:
    twice = run.soak.answers.twice()
    yield not twice, f"{len(twice)} messages answered twice by Assist: {twice[:3]}"


def _no_forged_answer(run: SoakRun) -> Iterable[tuple[bool, str]]:
    forged = sorted(run.soak.answers.answered & set(run.soak.forged))
    yield not forged, f"{len(forged)} forged messages answered by Assist: {forged[:3]}"


# The soak's invariants, in order; a feature appends its own (see the module's docstring).
CHECKS: list[Check] = [
    _exactly_once,
    _no_unhandled_exception,
    _junk_refused,
    _memory_flat,
    _never_answered_twice,
    _no_forged_answer,
]


async def run(log: LogWatch, seconds: float, seed: int) -> FigureResult:
    """Soak for ``seconds`` with ``seed``."""
    result = FigureResult("soak", f"Soak with faults ({seconds:g} s, seed {seed})")
    original_create = integration.create_client
    integration.create_client = _short_timeout_client(original_create)  # type: ignore[assignment]
    try:
        async with bench_env(log, seed=seed, callr=True) as env:
            outcome = await _soak(env, log, seconds, seed, result)
    finally:
        integration.create_client = original_create
    result.metrics |= outcome
    return result


def _faults(plan: FaultPlan) -> CountingFaultPlan:
    counting = CountingFaultPlan(plan.rng)
    for kind in FAULT_KINDS:
        counting.add(
            Fault(
                kind=kind,
                times=None,
                probability=FAULT_PROBABILITY,
                delay=FAULT_DELAY,
                retry_after=1,
            )
        )
    counting.add(
        Fault(
            kind="slow_body",
            times=None,
            probability=SLOW_BODY_PROBABILITY,
            chunk_size=256,
            chunk_delay=0.02,
        )
    )
    return counting


async def _soak(
    env: Env, log: LogWatch, seconds: float, seed: int, result: FigureResult
) -> dict[str, Any]:
    hass = env.hass
    side = env.callr_side()
    options = {CONF_WEBHOOK_SECRET: SECRET, "scan_interval": 1, "slow_scan_interval": 2}
    env.state.webhook = WebhookTarget(env.webhook_url(), "v2", SECRET)
    side.state.webhooks.policy.backoff = CALLR_BACKOFF
    side.state.webhooks.subscribe(
        side.account, "sms.mo", env.webhook_url(CALLR_WEBHOOK_ID), hmac_secret=SECRET
    )
    answers, sms_entry, callr_entry = await async_setup_talking_entries(
        env, ALLOWED, options, options
    )
    sms_seen, unsub_sms = env.count(
        EVENT_SMS_RECEIVED, lambda data: (data["provider"], data["guid"])
    )
    calls_seen, unsub_calls = env.count(EVENT_CALL, _event_call_key)
    entries = [
        Entry(PROVIDER_SMSMOBILEAPI, sms_entry.entry_id, env.webhook_url()),
        Entry(PROVIDER_CALLR, callr_entry.entry_id, env.webhook_url(CALLR_WEBHOOK_ID)),
    ]
    soak = Soak(env, entries, seconds, seed, answers)
    for name, seen in (
        ("SMSMobileAPI SMS", sms_seen),
        ("SMSMobileAPI calls", calls_seen),
        ("CALLR SMS", sms_seen),
    ):
        soak.streams[name] = Stream(name, seen)
    plans = (_faults(env.state.faults), _faults(side.state.faults))
    env.state.faults, side.state.faults = plans
    log.clear()
    tracemalloc.start()
    async with LoopLag() as lag:
        started = time.perf_counter()
        soak.lag = lag
        jobs = [soak.arrive(), soak.arrive_callr(), soak.meddle(), soak.sample_memory()]
        jobs += [soak.restart(entry) for entry in entries]
        tasks = [asyncio.create_task(job) for job in jobs]
        await asyncio.sleep(seconds)
        soak.stop.set()
        await asyncio.gather(*tasks)
    faulted = sum(plan.handed_out for plan in plans)
    end_snapshot = traced()
    tracemalloc.stop()
    warm_snapshot = soak.traced_warm if soak.traced_warm is not None else end_snapshot
    traced_warm, traced_end = size(warm_snapshot), size(end_snapshot)
    growth_by_line = top_growth(warm_snapshot, end_snapshot)

    # Catch up: no more faults, the entries loaded, then poll until everything arrived.
    env.state.faults.clear()
    side.state.faults.clear()
    await env.server.drain_webhooks()
    await side.server.drain_webhooks()
    for soaked in entries:
        entry = hass.config_entries.async_get_entry(soaked.entry_id)
        if entry is not None and entry.state is not ConfigEntryState.LOADED:
            await hass.config_entries.async_reload(soaked.entry_id)
            await hass.async_block_till_done()
    # The SMS streams share one counter: an SMS is "expected" in one of them.
    all_sms = soak.stream("SMSMobileAPI SMS").expected | soak.stream("CALLR SMS").expected
    deadline = time.perf_counter() + CATCH_UP
    while time.perf_counter() < deadline and (  # noqa: ASYNC110 - counters fed by callbacks
        sms_seen.counts.keys() < all_sms
        or calls_seen.counts.keys() < soak.stream("SMSMobileAPI calls").expected
    ):
        await asyncio.sleep(0.5)
    await asyncio.sleep(3)  # a few more polls: a late duplicate would show now
    await hass.async_block_till_done()
    unsub_sms()
    unsub_calls()
    if answers.unsubscribe is not None:
        answers.unsubscribe()
    elapsed = time.perf_counter() - started

    # Each SMS stream judges only its own provider's SMS.
    for name, provider in (
        ("SMSMobileAPI SMS", PROVIDER_SMSMOBILEAPI),
        ("CALLR SMS", PROVIDER_CALLR),
    ):
        soak.streams[name].seen = _only(sms_seen, provider)

    unhandled = log.unhandled()
    handled = len(log.errors()) - len(unhandled)
    warm = next((s for s in soak.samples if s[0] >= soak.warm_up), (0.0, rss_bytes()))
    end = soak.samples[-1] if soak.samples else (0.0, rss_bytes())
    outcome = SoakRun(
        soak=soak,
        unhandled=unhandled,
        traced_growth=traced_end - traced_warm,
        rss_growth=end[1] - warm[1],
    )
    for check in CHECKS:
        for ok, failure in check(outcome):
            result.check(ok, failure)

    table = Table(
        f"{seconds:g} s of faults, then catch-up; {elapsed:.1f} s in all",
        ["what", "sent", "fired", "lost", "duplicated"],
    )
    for stream in soak.streams.values():
        table.rows.append(
            [
                stream.name,
                fmt_int(len(stream.expected)),
                fmt_int(stream.seen.total),
                fmt_int(stream.seen.lost(stream.expected)),
                fmt_int(stream.seen.duplicated()),
            ]
        )
    requests = env.traffic()[0] + side.traffic()[0]
    table.notes += [
        (
            f"API requests answered with a fault: {fmt_int(faulted)} of {fmt_int(requests)}; "
            + "; ".join(
                f"{soaked.provider}: {soaked.restarts} restarts, {soaked.failed_setups} setups "
                f"failed on a fault (set up again after {RETRY_AFTER:g} s: {soaked.retries}), "
                f"not loaded {soaked.down / seconds:.0%} of the time"
                for soaked in entries
            )
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
            f"({_signed_bytes(outcome.traced_growth)}); process RSS {fmt_bytes(warm[1])} -> "
            f"{fmt_bytes(end[1])}; most growth: {growth_by_line}"
        ),
        (
            f"Assist: {fmt_int(soak.allowed_sent)} SMS from allowed numbers, "
            f"{fmt_int(len(answers.answered))} answered, "
            f"{fmt_int(len(answers.rate_limited()))} refused for the rate limit (the others "
            "late: received while their entry was down); answered twice: "
            f"{len(answers.twice())}; forged pushes from allowed numbers: "
            f"{fmt_int(len(soak.forged))}, answered: "
            f"{len(answers.answered & set(soak.forged))}"
        ),
        (
            f"longest event-loop stall during the faults: {fmt_ms(lag.worst)} (restarts, "
            "faults and the simulators included, the bench's memory snapshot left out; "
            "tracemalloc traces every allocation meanwhile, which slows everything down); "
            + full_collections_note({"soak": lag.as_metrics()})
        ),
    ]
    result.tables.append(table)
    streams = {
        stream.name: {
            "sent": len(stream.expected),
            "fired": stream.seen.total,
            "lost": stream.seen.lost(stream.expected),
            "duplicated": stream.seen.duplicated(),
        }
        for stream in soak.streams.values()
    }
    sms_stream, calls_stream = streams["SMSMobileAPI SMS"], streams["SMSMobileAPI calls"]
    return {
        "seconds": seconds,
        "seed": seed,
        # The keys of the first release of the soak: SMSMobileAPI's.
        "sms": sms_stream["sent"],
        "calls": calls_stream["sent"],
        "lost_sms": sms_stream["lost"],
        "duplicated_sms": sms_stream["duplicated"],
        "lost_calls": calls_stream["lost"],
        "duplicated_calls": calls_stream["duplicated"],
        "streams": streams,
        "faults": faulted,
        "requests": requests,
        "entries": {
            soaked.provider: {
                "restarts": soaked.restarts,
                "failed_setups": soaked.failed_setups,
                "setup_retries": soaked.retries,
                "not_loaded_seconds": soaked.down,
            }
            for soaked in entries
        },
        "restarts": sum(soaked.restarts for soaked in entries),
        "failed_setups": sum(soaked.failed_setups for soaked in entries),
        "unhandled": len(unhandled),
        "handled_errors": handled,
        "longest_loop_stall": lag.worst,
        "loop": lag.as_metrics(),
        "assist": {
            "allowed_sent": soak.allowed_sent,
            "answered": len(answers.answered),
            "rate_limited": len(answers.rate_limited()),
            "twice": len(answers.twice()),
            "forged": len(soak.forged),
            "forged_answered": len(answers.answered & set(soak.forged)),
        },
        "rss_warm": warm[1],
        "rss_end": end[1],
        "traced_warm": traced_warm,
        "traced_end": traced_end,
        "traced_top_growth": growth_by_line,
        "memory_samples": soak.samples,
    }


def _only(counted: Counted, provider: str) -> Counted:
    """The SMS of one provider among those counted by (provider, guid)."""
    own = Counted()
    for key, count in counted.counts.items():
        if isinstance(key, tuple) and key[0] == provider:
            own.counts[key] = count
            own.sources[key] = counted.sources.get(key, [])
    own.total = sum(own.counts.values())
    return own


class CountingFaultPlan(FaultPlan):
    """A simulator's fault plan, counting the faults it hands out."""

    handed_out = 0

    def take(self, path: str) -> Fault | None:
        """The planned fault for this request, if any (counted)."""
        fault = super().take(path)
        if fault is not None:
            self.handed_out += 1
        return fault


def _signed_bytes(value: int) -> str:
    return ("+" if value >= 0 else "-") + fmt_bytes(abs(value))
