"""A real Home Assistant and the simulator on loopback, and what the figures measure them with.

Home Assistant comes from the test harness (``async_test_home_assistant``) with a temporary
configuration folder, so ``Store`` files are real files; its HTTP server is the real one, bound
to 127.0.0.1 on a free port. Nothing here touches any other address.
"""

# Our package first: Home Assistant's harness otherwise shadows the top-level ``custom_components``.
import custom_components.smsmobileapi  # noqa: F401, I001  (must stay first)

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
import gc
import logging
from pathlib import Path
import random
import secrets
import socket
import sys
import tempfile
import time
from typing import Any, Self

from aiohttp import web
import aiohttp
import yarl
from homeassistant import loader
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import (
    CONF_API_KEY,
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    EVENT_HOMEASSISTANT_START,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import aiohttp_client, frame
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_component import DATA_INSTANCES
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.smsmobileapi.const import (
    AUTH_API_KEY,
    CONF_AUTH_TYPE,
    CONF_BASE_URL,
    CONF_PROVIDER,
    DOMAIN,
    PROVIDER_CALLR,
    PROVIDER_SMSMOBILEAPI,
)
from custom_components.smsmobileapi.coordinator import SmsMobileApiRuntimeData
from smsmobileapi_simulator import Account, SimulatorServer, SimulatorState
from smsmobileapi_simulator.callr import (
    CallrAccount,
    CallrServer,
    CallrSms,
    CallrState,
    WebhookEvent,
    build_delivery,
)
from smsmobileapi_simulator.state import CallType

from . import simproc

# The accounts of the simulators, in this process or in ``bench.simproc``'s.
API_KEY = simproc.API_KEY
CALLR_LOGIN = simproc.CALLR_LOGIN
CALLR_PASSWORD = simproc.CALLR_PASSWORD
WEBHOOK_ID = "bench-webhook"
CALLR_WEBHOOK_ID = "bench-callr-webhook"
RAW_WEBHOOK_ID = "bench-raw-webhook"
REST_ENTITY = "sensor.sms_inbox"
RAW_EVENT = "bench_raw_sms_received"
PHONE_SID = "bench-phone"
CALL_KINDS: tuple[CallType, ...] = ("missed", "incoming", "outgoing")
# A poll interval no timer reaches during a figure: the figures drive the polls themselves.
NEVER = 24 * 3600
_LOGGER = logging.getLogger(__name__)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_bytes() -> int:
    """Resident memory of this process now (not the peak)."""
    with suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def rest_available() -> bool:
    """Whether Home Assistant's ``rest`` integration can be imported (its requirements)."""
    try:
        import homeassistant.components.rest.sensor  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Logged:
    """What the watch keeps of a log record: text only.

    Never the record itself: its arguments and traceback hold the exception, its frames and
    their locals (a whole coordinator and its ledger), which would grow memory in a soak.
    """

    name: str
    levelno: int
    message: str
    traceback: bool


class LogWatch(logging.Handler):
    """Keep warnings and errors; tell handled failures from unhandled exceptions."""

    def __init__(self) -> None:
        """Collect from WARNING up."""
        super().__init__(logging.WARNING)
        self.records: list[Logged] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record's text (bounded: the soak may log a failed poll many times)."""
        if len(self.records) < 100_000:
            self.records.append(
                Logged(record.name, record.levelno, record.getMessage(), bool(record.exc_info))
            )

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """Asyncio's handler of exceptions nobody awaited: logged (to the watch) as unhandled."""
        exc = context.get("exception")
        logging.getLogger("asyncio").error(
            "%s (%s)",
            context.get("message"),
            context.get("task") or context.get("future") or context.get("handle"),
            exc_info=exc if isinstance(exc, BaseException) else None,
        )

    def unhandled(self) -> list[Logged]:
        """Errors with a traceback, or that say something went unexpectedly wrong.

        A failed poll (the coordinator's "Error fetching ... data: <the client's message>") is
        handled, whatever words the service's answer put in that message ("Unexpected answer
        ..."): the coordinator logs an exception it did not expect as "Unexpected error
        fetching", with its traceback.
        """
        words = ("unexpected", "exception", "traceback", "never retrieved", "error processing")
        return [
            record
            for record in self.records
            if record.levelno >= logging.ERROR
            and (
                record.traceback
                or (
                    not record.message.startswith("Error fetching ")
                    and any(w in record.message.lower() for w in words)
                )
            )
        ]

    def errors(self) -> list[Logged]:
        """Every record at ERROR or above (handled ones too, such as a failed poll)."""
        return [record for record in self.records if record.levelno >= logging.ERROR]

    def clear(self) -> None:
        """Forget what was kept."""
        self.records.clear()


def describe(records: list[Logged], limit: int = 5) -> str:
    """A short text of the first few records."""
    return "; ".join(f"{r.name}: {r.message[:160]}" for r in records[:limit])


@dataclass(slots=True)
class InFlight:
    """Requests in flight at the simulator, now and at most since the last reset."""

    now: int = 0
    peak: int = 0

    def reset(self) -> None:
        """Start a new peak."""
        self.peak = self.now

    @web.middleware
    async def middleware(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        """Count the request while it is served."""
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            return await handler(request)
        finally:
            self.now -= 1


@dataclass(slots=True)
class Counted:
    """Occurrences of each key of an event type, and when the last new key arrived."""

    counts: Counter[Hashable] = field(default_factory=Counter)
    # Where each occurrence came from (the events' "source"), to explain a duplicate.
    sources: dict[Hashable, list[str]] = field(default_factory=dict)
    first_at: float | None = None
    last_new_at: float | None = None
    total: int = 0

    @property
    def distinct(self) -> int:
        """How many different keys were seen."""
        return len(self.counts)

    def duplicated(self) -> int:
        """Occurrences beyond the first of each key."""
        return sum(count - 1 for count in self.counts.values() if count > 1)

    def explain_duplicates(self, limit: int = 3) -> str:
        """A few duplicated keys with the sources of their events."""
        duplicated = [key for key, count in self.counts.items() if count > 1][:limit]
        return "; ".join(f"{key}: {' + '.join(self.sources.get(key, []))}" for key in duplicated)

    def lost(self, expected: set[Hashable]) -> int:
        """Expected keys never seen."""
        return len(expected - self.counts.keys())

    def unexpected(self, expected: set[Hashable]) -> int:
        """Keys seen that nobody sent."""
        return len(self.counts.keys() - expected)


class LoopLag:
    """The worst delay of a 5 ms ticker while a block runs: how long the loop was blocked.

    ``async with LoopLag() as lag: ...`` then ``lag.worst`` (seconds). The loop is Home
    Assistant's (the bench runs in it); the ticker is one more task, as any integration's.

    The window starts after a full collection of Python's garbage collector (``gc.collect()``,
    before the ticker starts): one owed to what came before (Home Assistant's start, the set-up,
    an earlier figure) does not land in it. The full collections that happen in the window are
    counted with their pauses (a full collection walks every object of the process: Home
    Assistant's, about 0.15 s here), and ``worst_outside_full_collections`` is the worst delay
    of the ticks in which none happened: what the rest of the work blocked.
    """

    TICK = 0.005

    def __init__(self) -> None:
        """Nothing measured yet."""
        self.worst = 0.0
        self.worst_outside_full_collections = 0.0
        self.full_collections = 0
        self.longest_full_collection = 0.0
        self._collection_started = 0.0
        # Work of the bench's own that blocks the loop (``bench_work``): its ticks do not count.
        # Counted at its start and at its end: a tick during which the count moved is left out.
        self._bench_work = 0
        self._task: asyncio.Task[None] | None = None

    @contextmanager
    def bench_work(self) -> Iterator[None]:
        """A block of the bench's own work (a memory snapshot): the ticks it delays are left out."""
        self._bench_work += 1
        try:
            yield
        finally:
            self._bench_work += 1

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._collection_started = time.perf_counter()
        else:
            self.full_collections += 1
            pause = time.perf_counter() - self._collection_started
            self.longest_full_collection = max(self.longest_full_collection, pause)

    async def _tick(self) -> None:
        while True:
            start = time.perf_counter()
            collections, bench_work = self.full_collections, self._bench_work
            await asyncio.sleep(self.TICK)
            delay = time.perf_counter() - start - self.TICK
            if self._bench_work != bench_work:
                continue
            self.worst = max(self.worst, delay)
            if self.full_collections == collections:
                self.worst_outside_full_collections = max(
                    self.worst_outside_full_collections, delay
                )

    def as_metrics(self) -> dict[str, float | int]:
        """The window's figures (seconds), for the JSON."""
        return {
            "longest_loop_stall": self.worst,
            "longest_loop_stall_outside_full_collections": self.worst_outside_full_collections,
            "full_collections": self.full_collections,
            "longest_full_collection": self.longest_full_collection,
        }

    async def __aenter__(self) -> Self:
        """Collect, then start ticking (and counting full collections)."""
        gc.collect()
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_: object) -> None:
        """Stop ticking."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        gc.callbacks.remove(self._on_gc)


def recipient(number: str, agent_id: str | None = None) -> ConfigSubentryData:
    """A recipient (an entry's subentry) of ``number``, talking to Assist's ``agent_id``."""
    data: dict[str, Any] = {"name": f"Bench {number}", "number": number, "channel": "sms"}
    if agent_id is not None:
        data["conversation_agent"] = agent_id
    return ConfigSubentryData(
        data=data, subentry_type="recipient", title=f"Bench {number}", unique_id=f"sms_{number}"
    )


@dataclass(slots=True)
class Home:
    """A running Home Assistant with its real HTTP server, and a client session."""

    hass: HomeAssistant
    ha_url: str
    session: aiohttp.ClientSession
    log: LogWatch
    config_dir: Path

    def webhook_url(self, webhook_id: str = WEBHOOK_ID) -> str:
        """Home Assistant's URL of a webhook."""
        return f"{self.ha_url}/api/webhook/{webhook_id}"

    def add_smsmobileapi_entry(
        self,
        base_url: str,
        options: dict[str, Any] | None = None,
        *,
        webhook_id: str = WEBHOOK_ID,
        recipients: list[ConfigSubentryData] | None = None,
    ) -> MockConfigEntry:
        """An SMSMobileAPI config entry of the bench's account at ``base_url`` (not set up)."""
        return self._add_entry(
            "Bench",
            {
                CONF_PROVIDER: PROVIDER_SMSMOBILEAPI,
                CONF_AUTH_TYPE: AUTH_API_KEY,
                CONF_API_KEY: API_KEY,
                CONF_BASE_URL: base_url,
                CONF_WEBHOOK_ID: webhook_id,
            },
            options,
            recipients,
        )

    def add_callr_entry(
        self,
        base_url: str,
        options: dict[str, Any] | None = None,
        *,
        webhook_id: str = CALLR_WEBHOOK_ID,
        recipients: list[ConfigSubentryData] | None = None,
    ) -> MockConfigEntry:
        """A CALLR config entry of the bench's CALLR account at ``base_url`` (not set up)."""
        return self._add_entry(
            "Bench CALLR",
            {
                CONF_PROVIDER: PROVIDER_CALLR,
                CONF_USERNAME: CALLR_LOGIN,
                CONF_PASSWORD: CALLR_PASSWORD,
                CONF_BASE_URL: base_url,
                CONF_WEBHOOK_ID: webhook_id,
            },
            options,
            recipients,
        )

    def _add_entry(
        self,
        title: str,
        data: dict[str, Any],
        options: dict[str, Any] | None,
        recipients: list[ConfigSubentryData] | None = None,
    ) -> MockConfigEntry:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=title,
            data=data,
            options={"scan_interval": NEVER, "slow_scan_interval": NEVER, **(options or {})},
            subentries_data=recipients or (),
        )
        entry.add_to_hass(self.hass)
        return entry

    async def setup_entry(self, entry: MockConfigEntry) -> float:
        """Set the entry up; seconds it took (setup and everything it started)."""
        start = time.perf_counter()
        if not await self.hass.config_entries.async_setup(entry.entry_id):
            raise RuntimeError(f"setup failed: {entry.state} {entry.reason}")
        await self.hass.async_block_till_done()
        return time.perf_counter() - start

    def runtime(self, entry: MockConfigEntry) -> SmsMobileApiRuntimeData:
        """The loaded entry's client, coordinator and inbox."""
        data: SmsMobileApiRuntimeData = entry.runtime_data
        return data

    def count(
        self, event_type: str, key: Callable[[Mapping[str, Any]], Hashable]
    ) -> tuple[Counted, Callable[[], None]]:
        """Count the events of a type by ``key(event.data)``; returns the counter and unsub."""
        counted = Counted()

        @callback
        def _on_event(event: Event) -> None:
            now = time.perf_counter()
            value = key(event.data)
            if counted.first_at is None:
                counted.first_at = now
            if value not in counted.counts:
                counted.last_new_at = now
            counted.counts[value] += 1
            counted.total += 1
            counted.sources.setdefault(value, []).append(
                f"{event.data.get('source')}{'/delayed' if event.data.get('delayed') else ''}"
            )

        return counted, self.hass.bus.async_listen(event_type, _on_event)

    async def setup_rest_sensor_at(self, sim_url: str, *, request_timeout: int = 60) -> bool:
        """Home Assistant's ``rest`` sensor on ``/getsms/`` (what users set up by hand).

        Its state is the GUID of the newest SMS: what an automation would watch. Polled only
        when asked (``update_rest_sensor``). False when ``rest`` cannot be imported here.
        """
        if not rest_available():
            return False
        ok = await async_setup_component(self.hass, "homeassistant", {})
        # The ``rest`` integration's own configuration: ``sensor:`` may already be set up.
        ok = ok and await async_setup_component(
            self.hass,
            "rest",
            {
                "rest": [
                    {
                        "resource": f"{sim_url}/getsms/?apikey={API_KEY}",
                        "scan_interval": NEVER,
                        "timeout": request_timeout,
                        "sensor": [
                            {
                                "name": "SMS inbox",
                                "value_template": (
                                    "{{ (value_json.result.sms | last).guid"
                                    " if value_json.result.sms else 'none' }}"
                                ),
                            }
                        ],
                    }
                ]
            },
        )
        await self.hass.async_block_till_done()
        return ok and self.hass.states.get(REST_ENTITY) is not None

    async def update_rest_sensor(self) -> None:
        """One poll of the ``rest`` sensor, as its timer does it (its coordinator's refresh).

        ``homeassistant.update_entity`` would go through the coordinator's debouncer, which
        lets one request through every 10 seconds.
        """
        entity = self._rest_entity()
        coordinator = getattr(entity, "_coordinator", None)
        if coordinator is not None:
            await coordinator.async_refresh()
        else:
            await entity.async_update_ha_state(force_refresh=True)

    def _rest_entity(self) -> Entity:
        entity = self.hass.data[DATA_INSTANCES]["sensor"].get_entity(REST_ENTITY)
        if entity is None:
            raise RuntimeError("the rest sensor is not set up")
        return entity

    def rest_body_size(self) -> int:
        """Characters of the last response the ``rest`` sensor keeps in memory."""
        data = getattr(getattr(self._rest_entity(), "rest", None), "data", None)
        return len(data) if isinstance(data, str | bytes) else 0

    async def setup_raw_webhook_automation(self) -> bool:
        """An automation on a plain webhook trigger firing ``RAW_EVENT`` with the SMS GUID.

        What a user builds without the integration to receive pushed SMS: no signature, no
        parsing of the two formats, no de-duplication.
        """
        ok = await async_setup_component(
            self.hass,
            "automation",
            {
                "automation": [
                    {
                        "alias": "Raw SMS webhook",
                        "mode": "parallel",
                        "max": 10_000,
                        "triggers": [
                            {
                                "trigger": "webhook",
                                "webhook_id": RAW_WEBHOOK_ID,
                                "allowed_methods": ["POST"],
                                "local_only": True,
                            }
                        ],
                        "actions": [
                            {
                                "event": RAW_EVENT,
                                "event_data": {
                                    "guid": (
                                        "{{ trigger.json.guid if 'guid' in trigger.json"
                                        " else trigger.json.data.guid if 'guid' in"
                                        " trigger.json.data else trigger.json.data.hash }}"
                                    )
                                },
                            }
                        ],
                    }
                ]
            },
        )
        await self.hass.async_block_till_done()
        return ok


@dataclass(slots=True)
class CallrSide:
    """The CALLR simulator in this process, with the bench's account."""

    state: CallrState
    server: CallrServer
    account: CallrAccount

    @property
    def url(self) -> str:
        """The API's base URL (what an entry stores)."""
        return self.server.base_url

    def traffic(self, route: str | None = None) -> tuple[int, int]:
        """Requests answered and body bytes sent so far (one route such as ``GET /sms``)."""
        stats = [s for r, s in self.state.stats.items() if route is None or r == route]
        return sum(s.requests for s in stats), sum(s.bytes_sent for s in stats)


def callr_delivery(
    side: CallrSide,
    sms: CallrSms,
    secret: str | None,
    *,
    try_number: int = 0,
    event_id: str | None = None,
) -> tuple[str, dict[str, str], bytes]:
    """One CALLR ``sms.mo`` delivery of an SMS, signed with ``secret``: (event id, headers, body).

    A retry of the same delivery keeps its ``event_id`` with the next ``try_number``.
    """
    event = WebhookEvent(
        event_id=event_id or side.state.new_event_id(),
        event_type="sms.mo",
        event_at=side.state.now(),
        hook_hash="BENCHHOK",
        url="",
        hmac_secret=secret,
        data=side.state.sms_json(sms),
    )
    headers, body = build_delivery(event, try_number)
    return event.event_id, headers, body


def callr_delivery_of(
    sms: Mapping[str, Any],
    secret: str | None,
    *,
    try_number: int = 0,
    event_id: str | None = None,
) -> tuple[str, dict[str, str], bytes]:
    """``callr_delivery`` of an SMS object (as a remote simulator gives it)."""
    event = WebhookEvent(
        event_id=event_id or secrets.token_hex(16),
        event_type="sms.mo",
        event_at=datetime.now(UTC),
        hook_hash="BENCHHOK",
        url="",
        hmac_secret=secret,
        data=dict(sms),
    )
    headers, body = build_delivery(event, try_number)
    return event.event_id, headers, body


@dataclass(slots=True)
class Env(Home):
    """Home Assistant, and the simulators in the same process and event loop."""

    state: SimulatorState
    server: SimulatorServer
    account: Account
    inflight: InFlight
    # The CALLR simulator, when the figure asked for it.
    callr: CallrSide | None = None

    @property
    def sim_url(self) -> str:
        """The SMSMobileAPI simulator's base URL."""
        return self.server.url

    def add_entry(
        self, options: dict[str, Any] | None = None, *, webhook_id: str = WEBHOOK_ID
    ) -> MockConfigEntry:
        """An SMSMobileAPI entry of the simulator's account, added (not set up)."""
        return self.add_smsmobileapi_entry(self.sim_url, options, webhook_id=webhook_id)

    def callr_side(self) -> CallrSide:
        """The CALLR simulator (the figure asked for it)."""
        if self.callr is None:
            raise RuntimeError("this bench_env has no CALLR simulator")
        return self.callr

    def traffic(self, path: str | None = None) -> tuple[int, int]:
        """Requests answered and body bytes sent by the simulator so far (one path or all)."""
        stats = [s for p, s in self.state.stats.items() if path is None or p == path]
        return sum(s.requests for s in stats), sum(s.bytes_sent for s in stats)

    async def setup_rest_sensor(self, *, request_timeout: int = 60) -> bool:
        """Home Assistant's ``rest`` sensor on the simulator's ``/getsms/``."""
        return await self.setup_rest_sensor_at(self.sim_url, request_timeout=request_timeout)


@dataclass(slots=True)
class RemoteSim:
    """A simulator in its own process (``bench.simproc``), driven over HTTP."""

    provider: str
    url: str
    session: aiohttp.ClientSession

    @property
    def root(self) -> str:
        """Where the control routes are (CALLR's API lives under a base path)."""
        return str(yarl.URL(self.url).with_path(""))

    async def seed(self, count: int, *, spacing: float = 1.0, calls: int = 0) -> None:
        """``count`` received SMS, ``spacing`` seconds apart, the newest now."""
        payload = {"count": count, "spacing": spacing, "calls": calls}
        async with self.session.post(f"{self.root}/_bench/seed", json=payload) as response:
            response.raise_for_status()

    async def add_sms(self, number: str, message: str, count: int = 1) -> list[dict[str, Any]]:
        """``count`` SMS received now, never pushed; for each, its ``guid`` and push data.

        SMSMobileAPI: ``v2`` (a Webhook V2 event's data) and ``legacy`` (the legacy body);
        CALLR: ``sms`` (the SMS object of an ``sms.mo`` event). See ``bench.simproc``.
        """
        payload = {"number": number, "message": message, "count": count}
        async with self.session.post(f"{self.root}/_bench/sms", json=payload) as response:
            response.raise_for_status()
            rows: list[dict[str, Any]] = await response.json()
            return rows

    async def add_fault(self, **fault: Any) -> None:  # noqa: ANN401 - the members of Fault
        """Plan a fault (the simulator's ``/_sim/fault``)."""
        async with self.session.post(f"{self.root}/_sim/fault", json=fault) as response:
            response.raise_for_status()

    async def traffic(self, path: str | None = None) -> tuple[int, int]:
        """Requests answered and body bytes sent so far (one path or route, or all)."""
        async with self.session.get(f"{self.root}/_bench/stats") as response:
            stats: dict[str, list[int]] = await response.json()
        rows = [value for key, value in stats.items() if path is None or key == path]
        return sum(row[0] for row in rows), sum(row[1] for row in rows)


@dataclass(slots=True)
class RemoteEnv(Home):
    """Home Assistant, and simulators in other processes (one per provider)."""

    sims: dict[str, RemoteSim] = field(kw_only=True)

    @property
    def sim(self) -> RemoteSim:
        """The simulator (of the first provider asked for)."""
        return next(iter(self.sims.values()))

    def add_entry(
        self, options: dict[str, Any] | None = None, *, provider: str | None = None
    ) -> MockConfigEntry:
        """An entry of a remote simulator's provider and account (not set up)."""
        sim = self.sims[provider] if provider is not None else self.sim
        if sim.provider == PROVIDER_CALLR:
            return self.add_callr_entry(sim.url, options)
        return self.add_smsmobileapi_entry(sim.url, options)


def setup_logging(log_path: Path | None, *, verbose: bool) -> LogWatch:
    """Route every log record to the watch (and to a file or stderr), not to the terminal."""
    watch = LogWatch()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    root.addHandler(watch)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
        file_handler.setFormatter(formatter)
        root.addHandler(file_handler)
    if verbose:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(formatter)
        root.addHandler(stream)
    return watch


async def _confirm_http_config(hass: HomeAssistant) -> None:
    """Confirm the HTTP configuration given above, as a user would.

    Since Home Assistant 2026.x a configuration given in YAML is a trial: unless it is promoted,
    Home Assistant reverts it and restarts itself five minutes later (a soak lasts longer).
    """
    try:
        from homeassistant.components.http.config import DATA_STORE  # noqa: PLC0415
    except ImportError:  # older Home Assistant: no trial configuration
        return
    store = hass.data.get(DATA_STORE)
    if store is not None and store.pending is not None:
        await store.async_promote_pending()


class _LoopbackResolver(aiohttp.ThreadedResolver):
    """The resolver of Home Assistant's HTTP sessions, without zeroconf (no multicast).

    Home Assistant's own resolver starts zeroconf, which talks mDNS on every network interface;
    the bench only ever connects to 127.0.0.1 and needs no resolver at all.
    """

    async def real_close(self) -> None:
        """What Home Assistant calls on close."""
        await self.close()


def _loopback_resolver(hass: HomeAssistant) -> _LoopbackResolver:
    return _LoopbackResolver()


@asynccontextmanager
async def home_assistant(log: LogWatch) -> AsyncIterator[Home]:
    """Home Assistant with the real HTTP server on 127.0.0.1, and a client session."""
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(log.loop_exception)
    # Same as the test harness' autouse fixture: never start zeroconf.
    aiohttp_client._async_make_resolver = _loopback_resolver  # type: ignore[assignment]  # noqa: SLF001
    with tempfile.TemporaryDirectory(prefix="smsmobileapi-bench-") as tmp:
        async with async_test_home_assistant(config_dir=tmp) as hass:
            frame.async_setup(hass)
            # Let Home Assistant load custom integrations (what phacc's fixture does).
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            port = free_port()
            http = {"server_host": ["127.0.0.1"], "server_port": port}
            if not await async_setup_component(hass, "http", {"http": http}):
                raise RuntimeError("the http integration did not set up")
            hass.bus.async_fire(EVENT_HOMEASSISTANT_START)  # starts the HTTP server
            await hass.async_block_till_done()
            await _confirm_http_config(hass)
            connector = aiohttp.TCPConnector(limit=100)
            session = aiohttp.ClientSession(connector=connector)
            try:
                yield Home(
                    hass=hass,
                    ha_url=f"http://127.0.0.1:{port}",
                    session=session,
                    log=log,
                    config_dir=Path(tmp),
                )
            finally:
                await session.close()
                await hass.async_stop(force=True)


@asynccontextmanager
async def bench_env(log: LogWatch, *, seed: int = 0, callr: bool = False) -> AsyncIterator[Env]:
    """Home Assistant, and the simulator with one phone (and CALLR's, with ``callr``)."""
    async with AsyncExitStack() as stack:
        # Simulated data, not secrets: seeded on purpose.
        state = SimulatorState(rng=random.Random(seed))  # noqa: S311
        state.record_requests = False
        account = state.add_account(API_KEY)
        state.add_phone(account, PHONE_SID, label="Bench phone")
        server = SimulatorServer(state, host="127.0.0.1", port=0)
        inflight = InFlight()
        server.app.middlewares.append(inflight.middleware)
        await server.start()
        stack.push_async_callback(server.stop)
        callr_side: CallrSide | None = None
        if callr:
            callr_state = CallrState(random.Random(seed + 1))  # noqa: S311
            callr_state.record_requests = False
            callr_account = callr_state.add_account(CALLR_LOGIN, CALLR_PASSWORD)
            callr_server = CallrServer(callr_state)
            callr_server.app.middlewares.append(inflight.middleware)
            await callr_server.start()
            stack.push_async_callback(callr_server.stop)
            callr_side = CallrSide(callr_state, callr_server, callr_account)
        # Entered last, left first: Home Assistant stops (its entries unload), then the
        # simulators.
        home = await stack.enter_async_context(home_assistant(log))
        yield Env(
            hass=home.hass,
            ha_url=home.ha_url,
            session=home.session,
            log=log,
            config_dir=home.config_dir,
            state=state,
            server=server,
            account=account,
            inflight=inflight,
            callr=callr_side,
        )


@asynccontextmanager
async def remote_env(log: LogWatch, *providers: str, seed: int = 0) -> AsyncIterator[RemoteEnv]:
    """Home Assistant, and each provider's simulator in its own process (``bench.simproc``)."""
    async with AsyncExitStack() as stack:
        urls = {}
        for provider in providers:
            urls[provider] = await stack.enter_async_context(_simulator_process(provider, seed))
        home = await stack.enter_async_context(home_assistant(log))
        yield RemoteEnv(
            hass=home.hass,
            ha_url=home.ha_url,
            session=home.session,
            log=log,
            config_dir=home.config_dir,
            sims={
                provider: RemoteSim(provider, url, home.session) for provider, url in urls.items()
            },
        )


@asynccontextmanager
async def _simulator_process(provider: str, seed: int) -> AsyncIterator[str]:
    """Start ``bench.simproc`` for a provider; its base URL; stopped on leaving."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.simproc",
        "--provider",
        provider,
        "--seed",
        str(seed),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        if process.stdout is None:
            raise RuntimeError("no pipe to the simulator")
        url = (await asyncio.wait_for(process.stdout.readline(), 60)).decode().strip()
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the simulator did not start: {url!r}")
        yield url
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()
