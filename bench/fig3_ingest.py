"""Figure 3: ingest throughput and exactly-once under load, for both providers.

N distinct SMS arrive at the simulator as fast as it takes them. Every second one is also pushed
by a signed webhook (SMSMobileAPI: Webhook V2; CALLR: ``sms.mo`` with ``X-CALLR-HmacSignature``)
by 20 concurrent senders, and one push in ten is delivered twice (a retry: the same event id;
CALLR's retry carries the next ``try``). Meanwhile the entry polls back to back: every poll
re-reads what the previous ones read (the 15-minute overlap) and the SMS that came by webhook.
Each SMS must fire ``smsmobileapi_sms_received`` exactly once. The longest event-loop stall of
the whole stream is measured too; the simulators run in their own processes (``bench.simproc``):
their answers grow to thousands of SMS per poll, which would otherwise be their stall, not ours.

The alternative, on the same kind of stream in the same run (SMSMobileAPI): what a user builds
without the integration, a webhook-trigger automation (an event per POST) plus the ``rest``
sensor polled at the same pace, whose state is the newest SMS (an automation on its state sees
one SMS per poll).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
import random
import time
from typing import Any

from homeassistant.const import CONF_WEBHOOK_ID

from custom_components.smsmobileapi.const import (
    CONF_WEBHOOK_SECRET,
    EVENT_SMS_RECEIVED,
    PROVIDER_CALLR,
    PROVIDER_SMSMOBILEAPI,
)
from smsmobileapi_simulator import build_v2_request

from .harness import (
    RAW_EVENT,
    RAW_WEBHOOK_ID,
    Counted,
    LogWatch,
    LoopLag,
    RemoteEnv,
    RemoteSim,
    callr_delivery_of,
    describe,
    remote_env,
)
from .report import FigureResult, Table, fmt_int, fmt_ms, full_collections_note, ratio

SECRET = "whsec-bench-0123456789"  # noqa: S105 - a test secret for the simulator
SENDERS = 20
RETRY_SHARE = 0.1
POLL_PAUSE = 0.1
TIMEOUT = 180.0

type Delivery = tuple[dict[str, str], bytes]
type Sms = dict[str, Any]
BATCH = 100


@dataclass(slots=True)
class Outcome:
    """What one stream gave."""

    expected: set[Hashable]
    seconds: float
    polls: int
    posts: int
    statuses: dict[int, int]
    longest_loop_stall: float
    # The garbage collector's full collections in the stream (``LoopLag.as_metrics``).
    loop: dict[str, float | int] = field(default_factory=dict)


class Stream:
    """``total`` SMS into a simulator, every second one pushed (some twice), while polling."""

    def __init__(
        self,
        env: RemoteEnv,
        *,
        sim: RemoteSim,
        url: str,
        deliveries: Callable[[Sms, bool], list[Delivery]],
        poll: Callable[[], Awaitable[Any]],
        seed: int,
    ) -> None:
        """SMS arrive at ``sim``; their pushes (``deliveries(sms, retried)``) go to ``url``.

        ``poll`` polls once.
        """
        self.env = env
        self.sim = sim
        self.url = url
        self.deliveries = deliveries
        self.poll = poll
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible load, not a secret
        self.queue: asyncio.Queue[Sms | None] = asyncio.Queue()
        self.expected: set[Hashable] = set()
        self.statuses: dict[int, int] = {}
        self.posts = 0
        self.polls = 0
        self.done = asyncio.Event()

    async def produce(self, total: int) -> None:
        """The SMS arrive at the simulator, a hundred at a time; every second one is pushed."""
        number = "+33610000000" if self.sim.provider == PROVIDER_CALLR else "+32470000000"
        for first in range(0, total, BATCH):
            batch = await self.sim.add_sms(number, "Load", count=min(BATCH, total - first))
            for index, sms in enumerate(batch, first):
                self.expected.add(sms["guid"])
                if index % 2 == 0:
                    self.queue.put_nowait(sms)
        for _ in range(SENDERS):
            self.queue.put_nowait(None)

    async def send(self) -> None:
        """One sender: POST each SMS it takes, some twice (a retry of the same delivery)."""
        while (sms := await self.queue.get()) is not None:
            for headers, body in self.deliveries(sms, self.rng.random() < RETRY_SHARE):
                async with self.env.session.post(self.url, data=body, headers=headers) as response:
                    await response.read()
                    self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
                    self.posts += 1

    async def poller(self) -> None:
        """Poll back to back (a short pause between polls) until told to stop."""
        while not self.done.is_set():
            await self.poll()
            self.polls += 1
            await asyncio.sleep(POLL_PAUSE)

    async def run(self, total: int, counted: Counted, *, wait_all: bool) -> Outcome:
        """Stream; with ``wait_all``, until every SMS fired (or a timeout); two polls more."""
        async with LoopLag() as lag:
            start = time.perf_counter()
            poll_task = asyncio.create_task(self.poller())
            await asyncio.gather(self.produce(total), *(self.send() for _ in range(SENDERS)))
            deadline = start + TIMEOUT
            while (  # noqa: ASYNC110 - the counter is fed by event callbacks
                wait_all
                and not poll_task.done()
                and time.perf_counter() < deadline
                and counted.counts.keys() < self.expected
            ):
                await asyncio.sleep(0.05)
            # Two more polls after the last SMS: a late duplicate would show now.
            self.done.set()
            await poll_task
            await self.poll()
            await self.poll()
            await self.env.hass.async_block_till_done()
        seconds = (counted.last_new_at or time.perf_counter()) - start
        return Outcome(
            self.expected,
            seconds,
            self.polls + 2,
            self.posts,
            self.statuses,
            lag.worst,
            lag.as_metrics(),
        )


def _v2(sms: Sms, retried: bool) -> list[Delivery]:  # noqa: FBT001
    """SMSMobileAPI: a Webhook V2 signed push; a retry is the same request again."""
    headers, body = build_v2_request("sms.received", sms["v2"], SECRET, datetime.now(UTC))
    return [(headers, body)] * (2 if retried else 1)


def _legacy(sms: Sms, retried: bool) -> list[Delivery]:  # noqa: FBT001
    """SMSMobileAPI's legacy push (the alternative's webhook-trigger automation reads it)."""
    request = ({"Content-Type": "application/json"}, str(sms["legacy"]).encode())
    return [request] * (2 if retried else 1)


def _callr(sms: Sms, retried: bool) -> list[Delivery]:  # noqa: FBT001
    """CALLR: a signed ``sms.mo``; a retry keeps the event id with the next ``try``."""
    event_id, headers, body = callr_delivery_of(sms["sms"], SECRET)
    out = [(headers, body)]
    if retried:
        _, headers, body = callr_delivery_of(sms["sms"], SECRET, try_number=1, event_id=event_id)
        out.append((headers, body))
    return out


def _ours_row(name: str, total: int, outcome: Outcome, ours: Counted) -> list[str]:
    rate = total / outcome.seconds if outcome.seconds else 0.0
    return [
        name,
        fmt_int(rate),
        f"{outcome.seconds:.2f} s",
        fmt_int(ours.total),
        fmt_int(ours.lost(outcome.expected)),
        fmt_int(ours.duplicated()),
        fmt_int(outcome.posts),
        fmt_int(outcome.polls),
        fmt_ms(outcome.longest_loop_stall),
    ]


def _ours_metrics(total: int, outcome: Outcome, ours: Counted, ledger: int) -> dict[str, Any]:
    return {
        "events_per_second": total / outcome.seconds if outcome.seconds else 0.0,
        "seconds": outcome.seconds,
        "events": ours.total,
        "lost": ours.lost(outcome.expected),
        "duplicated": ours.duplicated(),
        "unexpected": ours.unexpected(outcome.expected),
        "posts": outcome.posts,
        "polls": outcome.polls,
        "ledger_entries": ledger,
        "longest_loop_stall": outcome.longest_loop_stall,
        "loop": outcome.loop,
    }


async def run(log: LogWatch, total: int, *, seed: int = 3) -> FigureResult:
    """Stream ``total`` SMS to each provider's entry, then the same load to the alternative."""
    result = FigureResult("fig3", "3. Ingest throughput and exactly-once under load")
    outcomes: dict[str, tuple[Outcome, Counted, int]] = {}
    async with remote_env(log, PROVIDER_SMSMOBILEAPI, PROVIDER_CALLR, seed=seed) as env:
        for provider, deliveries in ((PROVIDER_SMSMOBILEAPI, _v2), (PROVIDER_CALLR, _callr)):
            entry = env.add_entry({CONF_WEBHOOK_SECRET: SECRET}, provider=provider)
            await env.setup_entry(entry)
            ours, unsub = env.count(EVENT_SMS_RECEIVED, lambda data: data["guid"])
            coordinator = env.runtime(entry).coordinator
            stream = Stream(
                env,
                sim=env.sims[provider],
                url=env.webhook_url(entry.data[CONF_WEBHOOK_ID]),
                deliveries=deliveries,
                poll=coordinator.async_refresh,
                seed=seed,
            )
            outcome = await stream.run(total, ours, wait_all=True)
            unsub()
            outcomes[provider] = (outcome, ours, len(env.runtime(entry).inbox.ledger))
        unhandled = log.unhandled()
        result.check(not unhandled, f"unhandled exception: {describe(unhandled)}")

        # The alternative, on a fresh stream of the same shape.
        alt_outcome: Outcome | None = None
        alt = Counted()
        sim = env.sims[PROVIDER_SMSMOBILEAPI]
        if (
            await env.setup_rest_sensor_at(sim.url, request_timeout=30)
            and await env.setup_raw_webhook_automation()
        ):
            raw, unsub_raw = env.count(RAW_EVENT, lambda data: data["guid"])

            def on_state(data: Mapping[str, Any]) -> Hashable:
                new_state = data.get("new_state")
                return new_state.state if new_state is not None else None

            states, unsub_state = env.count("state_changed", on_state)
            alt_stream = Stream(
                env,
                sim=sim,
                url=env.webhook_url(RAW_WEBHOOK_ID),
                deliveries=_legacy,
                poll=env.update_rest_sensor,
                seed=seed,
            )
            alt_outcome = await alt_stream.run(total, raw, wait_all=False)
            unsub_raw()
            unsub_state()
            # One event per POST, plus one per state change of the rest sensor.
            alt.counts.update(raw.counts)
            for key, count in states.counts.items():
                if key in alt_outcome.expected:
                    alt.counts[key] += count
            alt.last_new_at = raw.last_new_at

    names = {"smsmobileapi": "ours, SMSMobileAPI (Webhook V2 + polling)", "callr": ""}
    names["callr"] = "ours, CALLR (signed sms.mo + polling)"
    table = Table(
        f"{fmt_int(total)} distinct SMS per provider, half also pushed by {SENDERS} concurrent "
        f"senders ({RETRY_SHARE:.0%} of pushes delivered twice), polls back to back",
        [
            "setup",
            "events/s",
            "wall time",
            "events",
            "lost",
            "duplicated",
            "POSTs",
            "polls",
            "longest loop stall",
        ],
    )
    for provider, (outcome, counted, ledger) in outcomes.items():
        lost, duplicated = counted.lost(outcome.expected), counted.duplicated()
        result.check(lost == 0, f"{provider}: {lost} SMS lost")
        result.check(duplicated == 0, f"{provider}: {duplicated} SMS fired more than once")
        result.check(
            counted.unexpected(outcome.expected) == 0, f"{provider}: events for SMS nobody sent"
        )
        result.check(
            set(outcome.statuses) <= {202}, f"{provider}: webhook answered {outcome.statuses}"
        )
        table.rows.append(_ours_row(names[provider], total, outcome, counted))
        result.metrics[provider] = _ours_metrics(total, outcome, counted, ledger)
    result.metrics["total"] = total
    # The key of the first release of this figure: SMSMobileAPI's numbers.
    result.metrics["ours"] = result.metrics["smsmobileapi"]
    rate = result.metrics["smsmobileapi"]["events_per_second"]
    if alt_outcome is not None:
        alt_lost, alt_dup = alt.lost(alt_outcome.expected), alt.duplicated()
        alt_total = sum(alt.counts.values())
        alt_rate = (total - alt_lost) / alt_outcome.seconds if alt_outcome.seconds else 0.0
        table.rows.append(
            [
                "alt: webhook automation + rest sensor",
                fmt_int(alt_rate),
                f"{alt_outcome.seconds:.2f} s",
                fmt_int(alt_total),
                fmt_int(alt_lost),
                fmt_int(alt_dup),
                fmt_int(alt_outcome.posts),
                fmt_int(alt_outcome.polls),
                fmt_ms(alt_outcome.longest_loop_stall),
            ]
        )
        table.notes.append(
            f"events/s SMSMobileAPI vs alternative: {ratio(rate, alt_rate)}; the alternative "
            "loses every SMS that is not the newest at one of its polls and fires every retried "
            "POST twice"
        )
        result.metrics["alternative"] = {
            "events_per_second": alt_rate,
            "seconds": alt_outcome.seconds,
            "events": alt_total,
            "lost": alt_lost,
            "duplicated": alt_dup,
            "longest_loop_stall": alt_outcome.longest_loop_stall,
        }
    else:
        table.notes.append("alternative not measured: the rest integration is not installed")
    table.notes.append(
        full_collections_note(
            {
                names[provider].removeprefix("ours, ").split(" (")[0]: outcome_loop
                for provider, outcome_loop in (
                    (provider, result.metrics[provider]["loop"])
                    for provider in (PROVIDER_SMSMOBILEAPI, PROVIDER_CALLR)
                )
            }
        )
    )
    table.notes += [
        "events/s = distinct SMS / time until the last one fired",
        (
            "longest loop stall: the whole stream (the simulators run in their own processes, "
            "as the real services run elsewhere)"
        ),
    ]
    result.tables.append(table)
    return result
