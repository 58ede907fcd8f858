"""Figure 7: talking to Assist by SMS under a mixed load, both providers side by side.

An SMSMobileAPI entry (no webhook secret: its legacy pushes are unsigned, so each is confirmed
with the service before it counts as verified) and a CALLR entry (signed ``sms.mo``) each have a
few recipients allowed to talk to an Assist agent (``assist.EchoAgent``), at most
``max_replies`` answers per number and hour. N messages arrive, from:

* allowed numbers, for real (pushed, or only polled): answered, up to the rate limit; then
  refused with a ``rate_limited`` event;
* allowed numbers, for real, pushed twice (a retried delivery): answered once;
* other numbers: their SMS events fire, never an answer;
* forged: an unsigned push of an SMS the service never received (SMSMobileAPI: it fires as
  unverified), or a push signed with the wrong secret (CALLR: refused), from an allowed number;
* delayed: an allowed number's SMS received 20 minutes before it is pushed (late): it fires
  marked delayed, never answered.

Invariants (a broken one fails the run): every real SMS fires once; no forged, unverified, late
or unallowed message reaches the agent; none is answered twice; no number gets more than
``max_replies`` answers; every allowed, real, fresh message is answered or refused for the rate
limit; each answer is sent once, to its number; no unhandled exception. Measured: the time from a
message's arrival to its answer on the bus (the agent answers at once), and the longest event-
loop stall (the simulators run in the same loop here: their work is included).

The alternative, computed from the same load: an automation that hands every pushed request of
a plain webhook trigger to Assist (no signature, no confirmation, no de-duplication, no rate
limit) would answer the forged, the duplicated, the late and the rate-limited ones too.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import timedelta
import random
import time
from typing import Literal

from custom_components.smsmobileapi.const import (
    CONF_CONVERSATION_MAX_REPLIES,
    CONF_WEBHOOK_SECRET,
    EVENT_SMS_RECEIVED,
    PROVIDER_CALLR,
    PROVIDER_SMSMOBILEAPI,
)
from smsmobileapi_simulator import build_legacy_body

from .assist import async_setup_talking_entries, check_answers, describe_answers
from .harness import (
    CALLR_WEBHOOK_ID,
    Env,
    LogWatch,
    LoopLag,
    bench_env,
    callr_delivery,
    describe,
)
from .report import FigureResult, Table, fmt_int, fmt_ms, full_collections_note, percentile

SECRET = "whsec-assist-0123456789"  # noqa: S105 - a test secret for the simulator
ALLOWED = {
    PROVIDER_SMSMOBILEAPI: ("+32471000001", "+32471000002", "+32471000003", "+32471000004"),
    PROVIDER_CALLR: ("+33612000001", "+33612000002", "+33612000003", "+33612000004"),
}
type Kind = Literal["allowed", "twice", "other", "forged", "delayed"]
# The share of each kind of message.
KINDS: tuple[tuple[Kind, float], ...] = (
    ("allowed", 0.40),
    ("twice", 0.10),
    ("other", 0.25),
    ("forged", 0.15),
    ("delayed", 0.10),
)
PUSHED = 0.6  # the share of real messages pushed (the others only polled)
LATE = timedelta(minutes=20)
SENDERS = 10
POLL_PAUSE = 0.2
CATCH_UP = 60.0


@dataclass(slots=True)
class Message:
    """One message of the load."""

    provider: str
    kind: Kind
    number: str
    text: str
    pushed: bool
    guid: str = ""
    arrived_at: float = 0.0

    @property
    def eligible(self) -> bool:
        """May be answered: from an allowed number, sent for real, fresh."""
        return self.kind in {"allowed", "twice"}

    @property
    def real(self) -> bool:
        """Sent for real (its SMS event must fire once)."""
        return self.kind != "forged"


def plan(total: int, seed: int) -> list[Message]:
    """``total`` messages, both providers, the kinds in their shares (reproducible)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible load, not a secret
    kinds = [kind for kind, _ in KINDS]
    weights = [share for _, share in KINDS]
    messages = []
    for index in range(total):
        provider = PROVIDER_SMSMOBILEAPI if index % 2 == 0 else PROVIDER_CALLR
        kind = rng.choices(kinds, weights)[0]
        if kind == "other":
            prefix = "+3247200" if provider == PROVIDER_SMSMOBILEAPI else "+3361300"
            number = f"{prefix}{rng.randrange(10_000):04d}"
        else:
            number = rng.choice(ALLOWED[provider])
        pushed = kind in {"twice", "forged", "delayed"} or rng.random() < PUSHED
        messages.append(Message(provider, kind, number, f"Q{index} {kind}", pushed))
    return messages


class Load:
    """Makes each message arrive: in the simulators' inboxes, and pushed to the webhooks."""

    def __init__(self, env: Env, messages: list[Message]) -> None:
        """Deliver ``messages`` through ``env``'s simulators and webhooks."""
        self.env = env
        self.queue: asyncio.Queue[Message | None] = asyncio.Queue()
        for message in messages:
            self.queue.put_nowait(message)
        for _ in range(SENDERS):
            self.queue.put_nowait(None)
        self.statuses: Counter[int] = Counter()
        self.posts = 0

    async def send(self) -> None:
        """One sender: take messages until none is left."""
        while (message := await self.queue.get()) is not None:
            message.arrived_at = time.perf_counter()
            if message.provider == PROVIDER_SMSMOBILEAPI:
                await self._smsmobileapi(message)
            else:
                await self._callr(message)

    async def _smsmobileapi(self, message: Message) -> None:
        state, account = self.env.state, self.env.account
        received_at = state.clock() - LATE if message.kind == "delayed" else None
        sms = state.add_received_sms(account, message.number, message.text, received_at=received_at)
        message.guid = sms.guid
        if message.kind == "forged":
            account.received.remove(sms)  # never in the inbox: the service does not know it
        if message.pushed:
            body = build_legacy_body(sms)
            for _ in range(2 if message.kind == "twice" else 1):
                await self._post(self.env.webhook_url(), {"Content-Type": "application/json"}, body)

    async def _callr(self, message: Message) -> None:
        side = self.env.callr_side()
        received_at = side.state.now() - LATE if message.kind == "delayed" else None
        sms = side.state.add_incoming(
            side.account, message.number, message.text, received_at=received_at, push=False
        )
        message.guid = sms.hash
        if message.kind == "forged":
            del side.account.sms[sms.hash]  # never in the inbox
        if message.pushed:
            secret = SECRET + "-wrong" if message.kind == "forged" else SECRET
            _, headers, body = callr_delivery(side, sms, secret)
            for _ in range(2 if message.kind == "twice" else 1):
                await self._post(self.env.webhook_url(CALLR_WEBHOOK_ID), headers, body)

    async def _post(self, url: str, headers: dict[str, str], body: bytes) -> None:
        async with self.env.session.post(url, data=body, headers=headers) as response:
            await response.read()
            self.statuses[response.status] += 1
            self.posts += 1


def max_replies_for(total: int) -> int:
    """A rate limit that the load exceeds for every allowed number (about 60 % of its share)."""
    per_number = total * 0.5 / (len(ALLOWED[PROVIDER_SMSMOBILEAPI]) * 2)
    return max(2, int(per_number * 0.6))


async def run(log: LogWatch, total: int, *, seed: int = 11) -> FigureResult:
    """``total`` messages to two entries whose recipients talk to Assist."""
    result = FigureResult("fig7", "7. Talking to Assist by SMS under a mixed load")
    max_replies = max_replies_for(total)
    messages = plan(total, seed)
    async with bench_env(log, seed=seed, callr=True) as env:
        options = {CONF_CONVERSATION_MAX_REPLIES: max_replies}
        answers, sms_entry, callr_entry = await async_setup_talking_entries(
            env, ALLOWED, options, {**options, CONF_WEBHOOK_SECRET: SECRET}
        )
        entries = {PROVIDER_SMSMOBILEAPI: sms_entry, PROVIDER_CALLR: callr_entry}
        fired, unsub = env.count(EVENT_SMS_RECEIVED, lambda data: (data["provider"], data["guid"]))
        verified: dict[Hashable, bool] = {}
        unsub_verified = env.hass.bus.async_listen(
            EVENT_SMS_RECEIVED,
            lambda event: verified.__setitem__(
                (event.data["provider"], event.data["guid"]), bool(event.data["verified"])
            ),
        )
        load = Load(env, messages)
        done = asyncio.Event()

        async def poller() -> None:
            while not done.is_set():
                for entry in entries.values():
                    await env.runtime(entry).coordinator.async_refresh()
                await asyncio.sleep(POLL_PAUSE)

        eligible_count = sum(1 for m in messages if m.eligible)
        async with LoopLag() as lag:
            start = time.perf_counter()
            polling = asyncio.create_task(poller())
            await asyncio.gather(*(load.send() for _ in range(SENDERS)))
            real = {(m.provider, m.guid) for m in messages if m.real}
            deadline = time.perf_counter() + CATCH_UP
            while time.perf_counter() < deadline and (  # noqa: ASYNC110 - fed by callbacks
                fired.counts.keys() < real
                or len(answers.answered | answers.rate_limited()) < eligible_count
            ):
                await asyncio.sleep(0.05)
            await env.hass.async_block_till_done()
            done.set()
            await polling
            for entry in entries.values():  # two more polls: a late duplicate would show now
                await env.runtime(entry).coordinator.async_refresh()
                await env.runtime(entry).coordinator.async_refresh()
            await env.hass.async_block_till_done()
        seconds = time.perf_counter() - start
        unsub()
        unsub_verified()
        if answers.unsubscribe is not None:
            answers.unsubscribe()
        sent = _sent_answers(env)
        unhandled = log.unhandled()

    by_text = {m.text: m for m in messages}
    eligible = {m.text: m.number for m in messages if m.eligible}
    forged = [m.text for m in messages if m.kind == "forged"]
    for ok, failure in check_answers(
        answers, eligible=eligible, forged=forged, max_replies=max_replies
    ):
        result.check(ok, failure)
    forged_keys = {(m.provider, m.guid) for m in messages if m.kind == "forged"}
    lost = len(real - fired.counts.keys())
    duplicated = fired.duplicated()
    forged_verified = sorted(str(key) for key in forged_keys if verified.get(key))
    result.check(lost == 0, f"{lost} real SMS never fired")
    result.check(duplicated == 0, f"{duplicated} SMS fired twice ({fired.explain_duplicates()})")
    result.check(not forged_verified, f"forged SMS fired as verified: {forged_verified[:3]}")
    wrong_sends = {
        text: count
        for text in answers.answered
        if (count := sent.get((by_text[text].number, f"Echo: {text}"), 0)) != 1
    }
    stray_sends = sum(
        count
        for (_, message), count in sent.items()
        if message.removeprefix("Echo: ") not in answers.answered
    )
    result.check(not wrong_sends, f"answers not sent exactly once: {list(wrong_sends.items())[:3]}")
    result.check(stray_sends == 0, f"{stray_sends} messages sent that answer nothing")
    result.check(not unhandled, f"unhandled exception: {describe(unhandled)}")

    latencies = sorted(
        answers.answered_at[text] - by_text[text].arrived_at
        for text in answers.answered
        if text in answers.answered_at and text in by_text
    )
    counts = Counter(m.kind for m in messages)
    limited = len(answers.rate_limited())
    table = Table(
        f"{fmt_int(total)} messages to an SMSMobileAPI entry (unsigned pushes) and a CALLR entry "
        f"(signed pushes), polled every {POLL_PAUSE:g} s; at most {max_replies} answers per "
        "number and hour",
        ["messages", "sent", "answered", "refused (rate limit)", "must not be answered"],
    )
    labels: tuple[tuple[Kind, str], ...] = (
        ("allowed", "allowed number, real"),
        ("twice", "allowed number, real, pushed twice"),
        ("other", "another number"),
        ("forged", "forged (unsigned unconfirmed, or badly signed)"),
        ("delayed", "allowed number, late (20 min)"),
    )
    for kind, label in labels:
        texts = {m.text for m in messages if m.kind == kind}
        table.rows.append(
            [
                label,
                fmt_int(counts[kind]),
                fmt_int(len(texts & answers.answered)),
                fmt_int(len(texts & answers.rate_limited())),
                "-" if kind in {"allowed", "twice"} else "yes",
            ]
        )
    alt_answers = _alternative(messages)
    table.notes += [
        (
            f"answered {fmt_int(len(answers.answered))} of {fmt_int(eligible_count)} allowed "
            f"real fresh messages ({fmt_int(limited)} refused for the rate limit), twice: "
            f"{len(answers.twice())}, forged answered: "
            f"{len(answers.answered & set(forged))}; in {seconds:.2f} s"
        ),
        (
            f"message -> answer on the bus: p50 {fmt_ms(percentile(latencies, 0.5))}, p99 "
            f"{fmt_ms(percentile(latencies, 0.99))} (pushed: at once; polled: the next poll, "
            f"every {POLL_PAUSE:g} s); longest loop stall {fmt_ms(lag.worst)} (the simulators "
            "run in the same loop here)"
        ),
        full_collections_note({"run": lag.as_metrics()}),
        (
            "alternative: an automation handing each pushed request to Assist would have "
            f"answered {fmt_int(alt_answers['answers'])} times: {fmt_int(alt_answers['forged'])} "
            f"forged, {fmt_int(alt_answers['twice'])} duplicates, "
            f"{fmt_int(alt_answers['late'])} late, {fmt_int(alt_answers['over_limit'])} over "
            "the rate limit, and none of the messages that were only polled"
        ),
    ]
    result.tables.append(table)
    result.metrics |= {
        "total": total,
        "max_replies": max_replies,
        "kinds": dict(counts),
        "eligible": eligible_count,
        **describe_answers(answers),
        "forged_answered": len(answers.answered & set(forged)),
        "lost": lost,
        "duplicated": duplicated,
        "posts": load.posts,
        "statuses": {str(status): count for status, count in sorted(load.statuses.items())},
        "seconds": seconds,
        "answer_latency_p50": percentile(latencies, 0.5),
        "answer_latency_p99": percentile(latencies, 0.99),
        "longest_loop_stall": lag.worst,
        "loop": lag.as_metrics(),
        "alternative": alt_answers,
    }
    return result


def _sent_answers(env: Env) -> Counter[tuple[str, str]]:
    """The messages both simulators were asked to send, by (recipient, text)."""
    sent: Counter[tuple[str, str]] = Counter()
    for message in env.state.sent_for(env.account):
        sent[message.recipients, message.message] += 1
    for sms in env.callr_side().account.sms.values():
        if sms.sms_type == "OUT":
            sent[sms.to, sms.text] += 1
    return sent


def _alternative(messages: list[Message]) -> dict[str, int]:
    """What answering every pushed request of an allowed number would have done."""
    answered: Counter[str] = Counter()
    out = {"answers": 0, "forged": 0, "twice": 0, "late": 0, "over_limit": 0}
    limit = max_replies_for(len(messages))
    for message in messages:
        if not message.pushed or message.number not in ALLOWED[message.provider]:
            continue
        times = 2 if message.kind == "twice" else 1
        out["answers"] += times
        out["twice"] += times - 1
        out["forged"] += message.kind == "forged"
        out["late"] += message.kind == "delayed"
        if message.kind in {"allowed", "twice"}:
            answered[message.number] += 1
            out["over_limit"] += answered[message.number] > limit
    return out
