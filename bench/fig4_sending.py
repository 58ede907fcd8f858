"""Figure 4: one ``smsmobileapi.send_message`` action to many recipients, with a slow service.

The simulators add a fixed latency to every request. Ours: one action call with all recipients
(the integration sends them concurrently, a few at a time), to an SMSMobileAPI entry and to a
CALLR entry. The alternative: one synchronous ``requests.post`` per recipient, one after another
(run in a thread, as a ``python_script`` or a shell command would): the vendor's Python module
for SMSMobileAPI, the same loop on CALLR's ``POST /sms``. The simulators count the requests in
flight: the peak must stay within the integration's bound. The longest event-loop stall is
measured during each action.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import time

import requests

from custom_components.smsmobileapi.const import DOMAIN

from .harness import (
    API_KEY,
    CALLR_LOGIN,
    CALLR_PASSWORD,
    Env,
    LogWatch,
    LoopLag,
    bench_env,
    describe,
)
from .report import FigureResult, Table, fmt_ms, ratio

LATENCY = 0.05
SPEEDUP_GOAL = 8.0


def _bound() -> int | None:
    """The integration's bound on requests in flight per action, when it declares one."""
    from custom_components.smsmobileapi import const  # noqa: PLC0415

    value = getattr(const, "MAX_PARALLEL_REQUESTS", None)
    return value if isinstance(value, int) else None


def _recipients(count: int) -> list[str]:
    # Valid Belgian mobile numbers, all different.
    return [f"+32470{index:06d}" for index in range(1, count + 1)]


def _vendor_style(base_url: str, recipients: list[str], message: str) -> None:
    """What the vendor's module does: one synchronous POST per recipient, in series."""
    for recipient in recipients:
        response = requests.post(
            f"{base_url}/sendsms/",
            data={"apikey": API_KEY, "recipients": recipient, "message": message},
            timeout=30,
        )
        response.raise_for_status()


def _callr_serial(base_url: str, recipients: list[str], message: str) -> None:
    """The same loop on CALLR: one synchronous ``POST /sms`` per recipient, in series."""
    for recipient in recipients:
        response = requests.post(
            f"{base_url}/sms",
            json={"to": recipient, "from": "", "body": message, "options": {}},
            auth=(CALLR_LOGIN, CALLR_PASSWORD),
            timeout=30,
        )
        response.raise_for_status()


@dataclass(slots=True)
class Sent:
    """One way of sending to every recipient."""

    seconds: float
    peak: int
    sent: int
    answered: int = 0
    statuses: set[object] = field(default_factory=set)
    longest_loop_stall: float = 0.0


async def _action(env: Env, entry_id: str, recipients: list[str], sent: Callable[[], int]) -> Sent:
    before = sent()
    env.inflight.reset()
    async with LoopLag() as lag:
        start = time.perf_counter()
        response = await env.hass.services.async_call(
            DOMAIN,
            "send_message",
            {"config_entry_id": entry_id, "recipients": recipients, "message": "Bench"},
            blocking=True,
            return_response=True,
        )
    seconds = time.perf_counter() - start
    answered = (response or {}).get("messages")
    messages = answered if isinstance(answered, list) else []
    return Sent(
        seconds=seconds,
        peak=env.inflight.peak,
        sent=sent() - before,
        answered=len(messages),
        statuses={m.get("status") for m in messages if isinstance(m, dict)},
        longest_loop_stall=lag.worst,
    )


async def _serial(
    env: Env,
    send: Callable[[str, list[str], str], None],
    url: str,
    recipients: list[str],
    sent: Callable[[], int],
) -> Sent:
    before = sent()
    env.inflight.reset()
    start = time.perf_counter()
    await asyncio.to_thread(send, url, recipients, "Bench")
    return Sent(seconds=time.perf_counter() - start, peak=env.inflight.peak, sent=sent() - before)


async def run(log: LogWatch, count: int) -> FigureResult:
    """Send to ``count`` recipients both ways, with each provider."""
    result = FigureResult("fig4", "4. Sending to many recipients with a slow service")
    bound = _bound()
    async with bench_env(log, callr=True) as env:
        entry = env.add_entry()
        await env.setup_entry(entry)
        side = env.callr_side()
        callr_entry = env.add_callr_entry(side.url)
        await env.setup_entry(callr_entry)
        if not env.hass.services.has_service(DOMAIN, "send_message"):
            result.failures.append("the send_message action is not registered")
            return result
        recipients = _recipients(count)
        env.state.latency = side.state.latency = LATENCY

        def sms_sent() -> int:
            return len(env.state.sent)

        def callr_sent() -> int:
            return len(side.account.outgoing)

        ways = {
            "smsmobileapi": await _action(env, entry.entry_id, recipients, sms_sent),
            "smsmobileapi_serial": await _serial(
                env, _vendor_style, env.sim_url, recipients, sms_sent
            ),
            "callr": await _action(env, callr_entry.entry_id, recipients, callr_sent),
            "callr_serial": await _serial(env, _callr_serial, side.url, recipients, callr_sent),
        }
        env.state.latency = side.state.latency = 0.0
        unhandled = log.unhandled()

    for name in ("smsmobileapi", "callr"):
        ours, serial = ways[name], ways[f"{name}_serial"]
        result.check(
            ours.answered == count and ours.sent == count,
            f"{name}: send_message sent {ours.sent} and answered {ours.answered} of {count}",
        )
        result.check(ours.statuses <= {"queued"}, f"{name}: statuses {ours.statuses}")
        result.check(serial.sent == count, f"{name}: the serial loop sent {serial.sent} of {count}")
        if bound is not None:
            result.check(
                ours.peak <= bound, f"{name}: {ours.peak} requests in flight, above {bound}"
            )
    result.check(not unhandled, f"unhandled exception: {describe(unhandled)}")
    table = Table(
        f"{count} recipients, {LATENCY * 1000:.0f} ms added to every request by the simulators",
        [
            "way of sending",
            "wall time",
            "per recipient",
            "peak in flight",
            "speed-up",
            "longest loop stall",
        ],
    )
    labels = {
        "smsmobileapi": "ours: one send_message action, SMSMobileAPI",
        "smsmobileapi_serial": "alt: vendor module, requests.post in series",
        "callr": "ours: one send_message action, CALLR",
        "callr_serial": "alt: CALLR POST /sms in series",
    }
    for name, way in ways.items():
        serial = ways[name if name.endswith("_serial") else f"{name}_serial"]
        table.rows.append(
            [
                labels[name],
                fmt_ms(way.seconds),
                fmt_ms(way.seconds / count),
                str(way.peak),
                ratio(serial.seconds, way.seconds),
                fmt_ms(way.longest_loop_stall) if not name.endswith("_serial") else "-",
            ]
        )
    speedup = ways["smsmobileapi_serial"].seconds / ways["smsmobileapi"].seconds
    callr_speedup = ways["callr_serial"].seconds / ways["callr"].seconds
    bound_text = f"{bound}" if bound is not None else "not declared"
    ceiling = f"; with a bound of {bound} the ceiling is about x{bound}" if bound else ""
    table.notes += [
        f"integration's bound on requests in flight (MAX_PARALLEL_REQUESTS): {bound_text}{ceiling}",
        (
            f"goal at least x{SPEEDUP_GOAL:g}: SMSMobileAPI "
            f"{'met' if speedup >= SPEEDUP_GOAL else 'NOT met'}, CALLR "
            f"{'met' if callr_speedup >= SPEEDUP_GOAL else 'NOT met'}"
        ),
    ]
    result.tables.append(table)
    result.metrics |= {
        "recipients": count,
        "latency": LATENCY,
        "ours_seconds": ways["smsmobileapi"].seconds,
        "alt_seconds": ways["smsmobileapi_serial"].seconds,
        "speedup": speedup,
        "peak_in_flight": ways["smsmobileapi"].peak,
        "longest_loop_stall": ways["smsmobileapi"].longest_loop_stall,
        "bound": bound,
        "callr": {
            "ours_seconds": ways["callr"].seconds,
            "alt_seconds": ways["callr_serial"].seconds,
            "speedup": callr_speedup,
            "peak_in_flight": ways["callr"].peak,
            "longest_loop_stall": ways["callr"].longest_loop_stall,
        },
    }
    return result
