"""Figure 5: cost at rest. Setup time, import time, and the ledger after many messages.

* Setup: a config entry against the simulator (one phone, 100 SMS, a few calls), the first time
  (no saved ledger) and on a restart (saved ledger loaded: median of a few reloads). Alternative:
  setting up the ``rest`` sensor on ``/getsms/`` (including its first fetch) on the same inbox.
* Import: a fresh interpreter imports what Home Assistant has loaded anyway (core, helpers, the
  entity platforms, the ``custom_components`` package), then the integration with its
  platforms; the alternative imports ``rest``. Then, in the same interpreter, what comes later,
  each measured apart: the client of one provider (imported off the event loop when the first
  entry of that provider is set up), the first sync's module (at an entry's first setup), and
  the platforms Home Assistant imports with every integration that has them (``config_flow``,
  ``diagnostics``, ``logbook``; Home Assistant's own ``diagnostics`` and ``logbook`` counted
  as loaded already: they are part of its default configuration).
* Ledger: N messages go through the entry's inbox (each fires its event), then the ledger is saved
  with ``Store``: the file size (goal under 1 MiB, an invariant) and the memory of the ledger
  (tracemalloc of a ledger loaded from that file). The alternative keeps the whole last response
  of ``/getsms/`` in memory (the ``rest`` sensor's data) for the same inbox.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json
import statistics
import subprocess
import sys
import time
import tracemalloc

from custom_components.smsmobileapi.api import ReceivedSms
from custom_components.smsmobileapi.const import DOMAIN, EVENT_SMS_RECEIVED, SOURCE_POLL
from custom_components.smsmobileapi.ledger import Ledger

from .fig1_poll_cost import seed_inbox
from .harness import CALL_KINDS, LogWatch, bench_env, describe, rest_available
from .report import MIB, FigureResult, Table, fmt_bytes, fmt_int, fmt_ms, ratio

_BASELINE = (
    # Home Assistant imports the (namespace) package at every start, to list custom integrations.
    "custom_components",
    "homeassistant.core",
    "homeassistant.config_entries",
    "homeassistant.helpers.aiohttp_client",
    "homeassistant.helpers.config_validation",
    "homeassistant.helpers.device_registry",
    "homeassistant.helpers.dispatcher",
    "homeassistant.helpers.entity_platform",
    "homeassistant.helpers.storage",
    "homeassistant.helpers.template",
    "homeassistant.helpers.update_coordinator",
    "homeassistant.components.webhook",
    "homeassistant.components.sensor",
    "homeassistant.components.binary_sensor",
    "homeassistant.components.event",
    "homeassistant.components.notify",
)
OURS_MODULES = (
    "custom_components.smsmobileapi",
    "custom_components.smsmobileapi.binary_sensor",
    "custom_components.smsmobileapi.event",
    "custom_components.smsmobileapi.notify",
    "custom_components.smsmobileapi.sensor",
)
REST_MODULES = ("homeassistant.components.rest", "homeassistant.components.rest.sensor")
# Imported when the first entry of a provider is set up (``providers.async_import_provider``).
PROVIDER_CLIENTS = {
    "SMSMobileAPI": ("custom_components.smsmobileapi.api.smsmobileapi.client",),
    "CALLR": ("custom_components.smsmobileapi.api.callr.client",),
}
# Imported when an entry's first sync runs (once in the entry's life), off the event loop.
FIRST_SYNC = ("custom_components.smsmobileapi.first_sync",)
# Imported by Home Assistant with the integration, when they exist, and their own components.
PRELOADED = (
    "custom_components.smsmobileapi.config_flow",
    "custom_components.smsmobileapi.diagnostics",
    "custom_components.smsmobileapi.logbook",
)
PRELOADED_BASELINE = (
    "homeassistant.components.diagnostics",
    "homeassistant.components.logbook",
    "homeassistant.data_entry_flow",
)
_IMPORT_SCRIPT = """
import importlib, sys, time
for name in sys.argv[1].split(","):
    importlib.import_module(name)
for group in sys.argv[2:]:
    start = time.perf_counter()
    for name in group.split(","):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name not in group:
                raise
    print(time.perf_counter() - start)
"""


def import_seconds(modules: tuple[str, ...], runs: int = 3) -> float:
    """Median seconds a fresh interpreter takes to import ``modules`` after the baseline."""
    return import_groups(modules, runs=runs)[0]


def import_groups(
    *groups: tuple[str, ...], baseline: tuple[str, ...] = (), runs: int = 3
) -> list[float]:
    """Median seconds to import each group of modules, one after the other, after the baseline.

    In a fresh interpreter each run; what a group imports is not counted again in the next.
    """
    times: list[list[float]] = [[] for _ in groups]
    for _ in range(runs):
        completed = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
            [
                sys.executable,
                "-c",
                _IMPORT_SCRIPT,
                ",".join((*_BASELINE, *baseline)),
                *(",".join(group) for group in groups),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        for index, line in enumerate(completed.stdout.strip().splitlines()[-len(groups) :]):
            times[index].append(float(line))
    return [statistics.median(group) for group in times]


def _messages(count: int) -> list[ReceivedSms]:
    now = datetime.now(UTC)
    return [
        ReceivedSms(
            guid=f"{index:08X}-0000-4000-8000-BENCH0000000",
            number=f"+3247{index % 97:07d}",
            message=f"Message {index}",
            received_at=now - timedelta(seconds=count - 1 - index),
        )
        for index in range(count)
    ]


async def run(log: LogWatch, messages: int, reloads: int = 5) -> FigureResult:
    """Measure setup, import and the ledger after ``messages`` messages."""
    result = FigureResult("fig5", "5. Cost at rest")
    async with bench_env(log) as env:
        seed_inbox(env, 100)
        for index, kind in enumerate(CALL_KINDS):
            env.state.add_call(env.account, kind, f"+3247000010{index}")
        entry = env.add_entry()
        first_setup = await env.setup_entry(entry)
        restarts = []
        for _ in range(reloads):
            start = time.perf_counter()
            await env.hass.config_entries.async_reload(entry.entry_id)
            await env.hass.async_block_till_done()
            restarts.append(time.perf_counter() - start)
        reload_setup = statistics.median(restarts)

        rest_setup: float | None = None
        if rest_available():
            start = time.perf_counter()
            await env.setup_rest_sensor()
            rest_setup = time.perf_counter() - start

        inbox = env.runtime(entry).inbox
        fired, unsub = env.count(EVENT_SMS_RECEIVED, lambda data: data["guid"])
        start = time.perf_counter()
        for index, sms in enumerate(_messages(messages)):
            inbox.receive_sms(sms, SOURCE_POLL, verified=True)
            if index % 1000 == 999:
                await asyncio.sleep(0)
        await env.hass.async_block_till_done()
        record_seconds = time.perf_counter() - start
        unsub()
        inbox.ledger.prune(datetime.now(UTC))
        await inbox.async_close()  # saves the ledger now
        path = env.config_dir / ".storage" / f"{DOMAIN}.{entry.entry_id}.ledger"
        file_size = path.stat().st_size
        saved = json.loads(path.read_text())["data"]
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        loaded = Ledger()
        loaded.load(saved, now=datetime.now(UTC))
        ledger_memory = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
        entries = len(loaded)

        rest_memory: int | None = None
        if rest_setup is not None:
            env.state.add_received_bulk(env.account, messages)
            await env.update_rest_sensor()
            rest_memory = env.rest_body_size()
        unhandled = log.unhandled()

    ours_import = import_seconds(OURS_MODULES)
    clients = {
        name: import_groups(OURS_MODULES, modules)[1] for name, modules in PROVIDER_CLIENTS.items()
    }
    first_sync = import_groups(OURS_MODULES, FIRST_SYNC)[1]
    preloaded = import_groups(OURS_MODULES, PRELOADED, baseline=PRELOADED_BASELINE)[1]
    rest_import = import_seconds(REST_MODULES) if rest_setup is not None else None

    result.check(fired.distinct == messages, f"{fired.distinct} of {messages} messages fired")
    result.check(file_size < MIB, f"ledger file {fmt_bytes(file_size)} is not under 1 MiB")
    result.check(not unhandled, f"unhandled exception: {describe(unhandled)}")
    table = Table(
        "Setup, import and the ledger",
        ["what", "ours", "alternative", "ratio (alt/ours)"],
    )

    table.rows += [
        [
            "setup, first time (fresh storage)",
            fmt_ms(first_setup),
            fmt_ms(rest_setup) if rest_setup is not None else "-",
            ratio(rest_setup, first_setup) if rest_setup is not None else "-",
        ],
        [f"setup on restart (ledger loaded, median of {reloads})", fmt_ms(reload_setup), "", ""],
        [
            "import after what HA has loaded anyway",
            fmt_ms(ours_import),
            fmt_ms(rest_import) if rest_import is not None else "-",
            ratio(rest_import, ours_import) if rest_import is not None else "-",
        ],
        *(
            [f"+ the {name} client, at its first entry's setup", fmt_ms(seconds), "", ""]
            for name, seconds in clients.items()
        ),
        ["+ the first sync, at an entry's first setup", fmt_ms(first_sync), "", ""],
        ["+ config_flow, diagnostics, logbook (HA imports them too)", fmt_ms(preloaded), "", ""],
        [
            f"memory held after {fmt_int(messages)} messages",
            fmt_bytes(ledger_memory),
            fmt_bytes(rest_memory) if rest_memory is not None else "-",
            ratio(rest_memory, ledger_memory) if rest_memory is not None else "-",
        ],
        [f"Store file after {fmt_int(messages)} messages", fmt_bytes(file_size), "none", ""],
        [f"time to record {fmt_int(messages)} messages", fmt_ms(record_seconds), "", ""],
    ]
    table.notes += [
        (
            "alternative: the rest sensor on /getsms/ (setup includes its first fetch; "
            "memory = the last response it keeps, for the same inbox)"
            if rest_setup is not None
            else "alternative not measured: the rest integration's requirements are not installed"
        ),
        (
            "import: medians of 3 fresh interpreters; a provider's client is imported off the "
            "event loop when the first entry of that provider is set up (an account needs one), "
            "the first sync's module when an entry syncs for the first time; "
            "config_flow, diagnostics and logbook are imported by Home Assistant with the "
            "integration (its own diagnostics and logbook counted as loaded already)"
        ),
        (
            f"ledger: {fmt_int(entries)} identities kept (bounded); file goal < 1 MiB: "
            f"{'met' if file_size < MIB else 'NOT met'}"
        ),
    ]
    result.tables.append(table)
    result.metrics |= {
        "setup_first_seconds": first_setup,
        "setup_restart_seconds": reload_setup,
        "rest_setup_seconds": rest_setup,
        "import_seconds": ours_import,
        "import_client_seconds": clients,
        "import_first_sync_seconds": first_sync,
        "import_preloaded_seconds": preloaded,
        "rest_import_seconds": rest_import,
        "messages": messages,
        "ledger_entries": entries,
        "ledger_memory_bytes": ledger_memory,
        "ledger_file_bytes": file_size,
        "rest_memory_bytes": rest_memory,
        "record_seconds": record_seconds,
    }
    return result
