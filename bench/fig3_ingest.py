"""Figure 3: ingest throughput and exactly-once under load.

N distinct SMS arrive at the simulator as fast as it takes them. Every second one is also pushed
by Webhook V2 (signed) by 20 concurrent senders, and one push in ten is delivered twice (a retry
with the same event id). Meanwhile the entry polls ``/getsms/`` back to back: every poll re-reads
what the previous ones read (the 15-minute overlap) and the SMS that came by webhook. Each SMS must
fire ``smsmobileapi_sms_received`` exactly once.

The alternative, on the same kind of stream in the same run: what a user builds without the
integration, a webhook-trigger automation (an event per POST) plus the ``rest`` sensor polled at
the same pace, whose state is the newest SMS (an automation on its state sees one SMS per poll).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
import random
import time
from typing import Any

from custom_components.smsmobileapi.const import CONF_WEBHOOK_SECRET, EVENT_SMS_RECEIVED
from smsmobileapi_simulator import SimReceivedSms, build_legacy_body, build_v2_request
from smsmobileapi_simulator.webhooks import sms_event_data

from .harness import (
    RAW_EVENT,
    RAW_WEBHOOK_ID,
    Counted,
    Env,
    LogWatch,
    bench_env,
    describe,
)
from .report import FigureResult, Table, fmt_int, ratio

SECRET = "whsec-bench-0123456789"  # noqa: S105 - a test secret for the simulator
SENDERS = 20
RETRY_SHARE = 0.1
POLL_PAUSE = 0.1
TIMEOUT = 180.0

type Build = Callable[[SimReceivedSms], tuple[dict[str, str], bytes]]


@dataclass(slots=True)
class Outcome:
    """What one stream gave."""

    expected: set[Hashable]
    seconds: float
    polls: int
    posts: int
    statuses: dict[int, int]


class Stream:
    """``total`` SMS into the simulator, every second one pushed (some twice), while polling."""

    def __init__(
        self,
        env: Env,
        *,
        url: str,
        build: Build,
        poll: Callable[[], Awaitable[Any]],
        seed: int,
    ) -> None:
        """Push to ``url`` what ``build`` makes of an SMS; ``poll`` polls once."""
        self.env = env
        self.url = url
        self.build = build
        self.poll = poll
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible load, not a secret
        self.queue: asyncio.Queue[SimReceivedSms | None] = asyncio.Queue()
        self.expected: set[Hashable] = set()
        self.statuses: dict[int, int] = {}
        self.posts = 0
        self.polls = 0
        self.done = asyncio.Event()

    async def produce(self, total: int) -> None:
        """The SMS arrive at the simulator; every second one goes to the senders too."""
        for index in range(total):
            sms = self.env.state.add_received_sms(
                self.env.account, f"+3247{index % 97:07d}", f"Load {index}"
            )
            self.expected.add(sms.guid)
            if index % 2 == 0:
                self.queue.put_nowait(sms)
            if index % 100 == 99:
                await asyncio.sleep(0)
        for _ in range(SENDERS):
            self.queue.put_nowait(None)

    async def send(self) -> None:
        """One sender: POST each SMS it takes, some twice (a retry of the same delivery)."""
        while (sms := await self.queue.get()) is not None:
            headers, body = self.build(sms)
            for _ in range(2 if self.rng.random() < RETRY_SHARE else 1):
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
        return Outcome(self.expected, seconds, self.polls + 2, self.posts, self.statuses)


def _v2(sms: SimReceivedSms) -> tuple[dict[str, str], bytes]:
    return build_v2_request("sms.received", sms_event_data(sms), SECRET, datetime.now(UTC))


def _legacy(sms: SimReceivedSms) -> tuple[dict[str, str], bytes]:
    return {"Content-Type": "application/json"}, build_legacy_body(sms)


async def run(log: LogWatch, total: int, *, seed: int = 3) -> FigureResult:
    """Stream ``total`` SMS to the integration, then the same load to the alternative."""
    result = FigureResult("fig3", "3. Ingest throughput and exactly-once under load")
    async with bench_env(log, seed=seed) as env:
        entry = env.add_entry({CONF_WEBHOOK_SECRET: SECRET})
        await env.setup_entry(entry)
        coordinator = env.runtime(entry).coordinator
        ours, unsub = env.count(EVENT_SMS_RECEIVED, lambda data: data["guid"])
        stream = Stream(
            env, url=env.webhook_url(), build=_v2, poll=coordinator.async_refresh, seed=seed
        )
        outcome = await stream.run(total, ours, wait_all=True)
        unsub()
        ledger_size = len(env.runtime(entry).inbox.ledger)
        unhandled = log.unhandled()
        result.check(not unhandled, f"unhandled exception: {describe(unhandled)}")

        # The alternative, on a fresh stream of the same shape.
        alt_outcome: Outcome | None = None
        alt = Counted()
        if (
            await env.setup_rest_sensor(request_timeout=30)
            and await env.setup_raw_webhook_automation()
        ):
            raw, unsub_raw = env.count(RAW_EVENT, lambda data: data["guid"])

            def on_state(data: Mapping[str, Any]) -> Hashable:
                new_state = data.get("new_state")
                return new_state.state if new_state is not None else None

            states, unsub_state = env.count("state_changed", on_state)
            stream = Stream(
                env,
                url=env.webhook_url(RAW_WEBHOOK_ID),
                build=_legacy,
                poll=env.update_rest_sensor,
                seed=seed,
            )
            alt_outcome = await stream.run(total, raw, wait_all=False)
            unsub_raw()
            unsub_state()
            # One event per POST, plus one per state change of the rest sensor.
            alt.counts.update(raw.counts)
            for key, count in states.counts.items():
                if key in alt_outcome.expected:
                    alt.counts[key] += count
            alt.last_new_at = raw.last_new_at

    lost, duplicated = ours.lost(outcome.expected), ours.duplicated()
    result.check(lost == 0, f"{lost} SMS lost")
    result.check(duplicated == 0, f"{duplicated} SMS fired more than once")
    result.check(ours.unexpected(outcome.expected) == 0, "events for SMS nobody sent")
    result.check(set(outcome.statuses) <= {202}, f"webhook answered {outcome.statuses}")
    table = Table(
        f"{fmt_int(total)} distinct SMS, half also pushed by {SENDERS} concurrent senders "
        f"({RETRY_SHARE:.0%} of pushes delivered twice), polls back to back",
        ["setup", "events/s", "wall time", "events", "lost", "duplicated", "POSTs", "polls"],
    )
    rate = total / outcome.seconds if outcome.seconds else 0.0
    table.rows.append(
        [
            "ours (Webhook V2 + polling)",
            fmt_int(rate),
            f"{outcome.seconds:.2f} s",
            fmt_int(ours.total),
            fmt_int(lost),
            fmt_int(duplicated),
            fmt_int(outcome.posts),
            fmt_int(outcome.polls),
        ]
    )
    result.metrics |= {
        "total": total,
        "ours": {
            "events_per_second": rate,
            "seconds": outcome.seconds,
            "events": ours.total,
            "lost": lost,
            "duplicated": duplicated,
            "posts": outcome.posts,
            "polls": outcome.polls,
            "ledger_entries": ledger_size,
        },
    }
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
            ]
        )
        table.notes.append(
            f"events/s ours vs alternative: {ratio(rate, alt_rate)}; the alternative loses every "
            "SMS that is not the newest at one of its polls and fires every retried POST twice"
        )
        result.metrics["alternative"] = {
            "events_per_second": alt_rate,
            "seconds": alt_outcome.seconds,
            "events": alt_total,
            "lost": alt_lost,
            "duplicated": alt_dup,
        }
    else:
        table.notes.append("alternative not measured: the rest integration is not installed")
    table.notes.append(
        f"events/s = distinct SMS / time until the last one fired; ledger after: "
        f"{fmt_int(ledger_size)} identities"
    )
    result.tables.append(table)
    return result
