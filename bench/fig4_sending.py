"""Figure 4: one ``smsmobileapi.send_message`` action to many recipients, with a slow service.

The simulator adds a fixed latency to every request. Ours: one action call with all recipients
(the integration sends them concurrently, a few at a time). The alternative: the vendor's Python
module, one synchronous ``requests.post`` per recipient, one after another (run in a thread, as a
``python_script`` or a shell command would). The simulator counts the requests in flight: the
peak must stay within the integration's bound.
"""

from __future__ import annotations

import asyncio
import time

import requests

from custom_components.smsmobileapi.const import DOMAIN

from .harness import API_KEY, LogWatch, bench_env, describe
from .report import FigureResult, Table, fmt_ms, ratio

LATENCY = 0.05
SPEEDUP_GOAL = 8.0


def _bound() -> int | None:
    """The integration's bound on requests in flight per action, when it declares one."""
    try:
        from custom_components.smsmobileapi import services  # noqa: PLC0415
    except ImportError:
        return None
    value = getattr(services, "MAX_PARALLEL_REQUESTS", None)
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


async def run(log: LogWatch, count: int) -> FigureResult:
    """Send to ``count`` recipients both ways."""
    result = FigureResult("fig4", "4. Sending to many recipients with a slow service")
    bound = _bound()
    async with bench_env(log) as env:
        entry = env.add_entry()
        await env.setup_entry(entry)
        if not env.hass.services.has_service(DOMAIN, "send_message"):
            result.failures.append("the send_message action is not registered")
            return result
        recipients = _recipients(count)
        env.state.latency = LATENCY
        sent_before = len(env.state.sent)
        env.inflight.reset()
        start = time.perf_counter()
        response = await env.hass.services.async_call(
            DOMAIN,
            "send_message",
            {"config_entry_id": entry.entry_id, "recipients": recipients, "message": "Bench"},
            blocking=True,
            return_response=True,
        )
        ours = time.perf_counter() - start
        peak = env.inflight.peak
        ours_sent = len(env.state.sent) - sent_before
        answered = (response or {}).get("messages")
        messages = answered if isinstance(answered, list) else []
        statuses = {m.get("status") for m in messages if isinstance(m, dict)}

        sent_before = len(env.state.sent)
        env.inflight.reset()
        start = time.perf_counter()
        await asyncio.to_thread(_vendor_style, env.sim_url, recipients, "Bench")
        alternative = time.perf_counter() - start
        alt_peak = env.inflight.peak
        alt_sent = len(env.state.sent) - sent_before
        env.state.latency = 0.0
        unhandled = log.unhandled()

    result.check(
        len(messages) == count and ours_sent == count,
        f"send_message queued {ours_sent} and answered {len(messages)} of {count}",
    )
    result.check(statuses <= {"queued"}, f"statuses {statuses}")
    result.check(alt_sent == count, f"the vendor-style loop queued {alt_sent} of {count}")
    if bound is not None:
        result.check(peak <= bound, f"{peak} requests in flight, above the bound of {bound}")
    result.check(not unhandled, f"unhandled exception: {describe(unhandled)}")
    speedup = alternative / ours if ours else 0.0
    table = Table(
        f"{count} recipients, {LATENCY * 1000:.0f} ms added to every request by the simulator",
        ["way of sending", "wall time", "per recipient", "peak in flight", "speed-up"],
    )
    table.rows.append(
        [
            "ours: one send_message action",
            fmt_ms(ours),
            fmt_ms(ours / count),
            str(peak),
            ratio(alternative, ours),
        ]
    )
    table.rows.append(
        [
            "alt: vendor module, requests.post in series",
            fmt_ms(alternative),
            fmt_ms(alternative / count),
            str(alt_peak),
            "x1",
        ]
    )
    bound_text = f"{bound}" if bound is not None else "not declared"
    ceiling = f"; with a bound of {bound} the ceiling is about x{bound}" if bound else ""
    table.notes += [
        f"integration's bound on requests in flight (MAX_PARALLEL_REQUESTS): {bound_text}{ceiling}",
        f"goal at least x{SPEEDUP_GOAL:g}: {'met' if speedup >= SPEEDUP_GOAL else 'NOT met'}",
    ]
    result.tables.append(table)
    result.metrics |= {
        "recipients": count,
        "latency": LATENCY,
        "ours_seconds": ours,
        "alt_seconds": alternative,
        "speedup": speedup,
        "peak_in_flight": peak,
        "bound": bound,
    }
    return result
