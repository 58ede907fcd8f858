"""Fixtures of the client's tests: the simulator on loopback, an aiohttp session and clients.

No Home Assistant instance is started here: the client under test imports nothing from it.
Time stays frozen at ``NOW`` by the repository-wide ``frozen_time`` fixture (the simulator's
clock and the client's default clock both read it); only the event loop's own monotonic clock
runs in real time, so request timeouts and the simulator's delays behave as in production.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import random
import socket
from typing import Any

import aiohttp
from aiohttp import web
import freezegun.api
from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.smsmobileapi.api import (
    ApiKeyCredentials,
    Credentials,
    OAuth2Credentials,
    SmsMobileApiClient,
)
from smsmobileapi_simulator import (
    Account,
    RecordedRequest,
    SimulatorServer,
    SimulatorState,
)

# None of these contains a word the client reads as an authentication error ("apikey", "token").
API_KEY = "TESTKEY-5f8e2c71a9b04d3e"
CLIENT_ID = "client-id-7c1d"
CLIENT_SECRET = "client-secret-9d41be07c2a35f68"
NOW = datetime(2026, 9, 23, 12, 0, 0, tzinfo=UTC)
NOW_UNIX = 1_790_164_800
# Generous for normal requests (2 slow CPUs), short for the timeout tests.
REQUEST_TIMEOUT = 5.0
FAST_TIMEOUT = 0.2
FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(name: str) -> Any:  # noqa: ANN401  # decoded JSON of any shape
    """Return the decoded JSON fixture ``fixtures/<name>``."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_text(name: str) -> str:
    """Return the raw text of the JSON fixture ``fixtures/<name>``."""
    return (FIXTURES / name).read_text(encoding="utf-8")


@dataclass
class Sim:
    """A running simulator: its state, the test account and the base URL."""

    state: SimulatorState
    account: Account
    server: SimulatorServer
    url: str

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Every request the simulator received on ``path`` (trailing slash ignored)."""
        wanted = path.rstrip("/")
        return [request for request in self.state.requests if request.path.rstrip("/") == wanted]

    def fields_to(self, path: str) -> list[dict[str, str]]:
        """Query and form fields of every request received on ``path``."""
        return [{**request.query, **request.form} for request in self.requests_to(path)]

    def only_fields(self, path: str) -> dict[str, str]:
        """Fields of the single request received on ``path`` (fails when not exactly one)."""
        fields = self.fields_to(path)
        assert len(fields) == 1, fields
        return fields[0]


@dataclass
class Receiver:
    """A webhook endpoint on loopback that keeps what it receives."""

    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncIterator[Receiver]:
    """A tiny aiohttp server answering 202 to every POST."""
    received = Receiver()

    async def hook(request: web.Request) -> web.Response:
        received.received.append((dict(request.headers), await request.read()))
        return web.Response(status=202)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    received.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        yield received
    finally:
        await runner.cleanup()


@pytest.fixture
def auto_enable_custom_integrations() -> None:
    """Replace the repository-wide autouse fixture: these tests need no Home Assistant."""


@pytest.fixture(autouse=True)
def real_event_loop_clock(frozen_time: FrozenDateTimeFactory) -> Iterator[None]:
    """Let the event loop's clock run in real time while ``datetime.now()`` stays frozen.

    freezegun also freezes ``time.monotonic``, which the event loop reads: every
    ``asyncio.sleep`` and ``asyncio.timeout`` would then wait for ever. Ignoring the ``asyncio``
    package for the frozen clock fixes only that; the tests still move the wall clock with
    ``freezer.tick()`` / ``freezer.move_to()``.
    """
    ignore_lists = freezegun.api.ignore_lists
    original = ignore_lists[-1]
    patched = (*original, "asyncio")
    ignore_lists[-1] = patched
    try:
        yield
    finally:
        if ignore_lists and ignore_lists[-1] is patched:
            ignore_lists[-1] = original


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncIterator[Sim]:
    """The simulator on a free loopback port, with one account and two phones.

    ``phone-a`` is online (battery 87, number +32470000001); ``phone-b`` is offline.
    """
    state = SimulatorState(rng=random.Random(20260923))  # noqa: S311  # reproducible ids
    account = state.add_account(API_KEY, CLIENT_ID, CLIENT_SECRET)
    state.add_phone(
        account,
        "phone-a",
        label="Kitchen",
        battery=87,
        version="4.1.20.0",
        online=True,
        last_seen=NOW - timedelta(minutes=2),
        phone_number="+32470000001",
    )
    state.add_phone(
        account,
        "phone-b",
        label="Office",
        battery=45,
        version="4.1.19.2",
        online=False,
        last_seen=NOW - timedelta(hours=3),
    )
    server = SimulatorServer(state, host="127.0.0.1", port=0)
    await server.start()
    try:
        yield Sim(state=state, account=account, server=server, url=server.url)
    finally:
        await server.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """The caller-owned aiohttp session the clients share."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def make_client(session: aiohttp.ClientSession, sim: Sim) -> Callable[..., SmsMobileApiClient]:
    """Build a client of the simulator; keyword arguments override the defaults."""

    def _make(
        credentials: Credentials | None = None,
        **kwargs: Any,  # noqa: ANN401
    ) -> SmsMobileApiClient:
        kwargs.setdefault("base_url", sim.url)
        kwargs.setdefault("request_timeout", REQUEST_TIMEOUT)
        return SmsMobileApiClient(session, credentials or ApiKeyCredentials(API_KEY), **kwargs)

    return _make


@pytest.fixture
def client(make_client: Callable[..., SmsMobileApiClient]) -> SmsMobileApiClient:
    """A client authenticated with the account's API key."""
    return make_client()


@pytest.fixture
def oauth_client(make_client: Callable[..., SmsMobileApiClient]) -> SmsMobileApiClient:
    """A client authenticated with the account's OAuth2 client credentials."""
    return make_client(OAuth2Credentials(CLIENT_ID, CLIENT_SECRET))


@pytest.fixture
def fast_client(make_client: Callable[..., SmsMobileApiClient]) -> SmsMobileApiClient:
    """An API-key client that gives up after ``FAST_TIMEOUT`` seconds."""
    return make_client(request_timeout=FAST_TIMEOUT)


@pytest.fixture
def closed_port(socket_enabled: None) -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def exception_texts(error: BaseException) -> list[str]:
    """Everything an exception would show in a log: text, repr, attributes, causes."""
    texts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args), repr(vars(current))]
        current = current.__cause__ or current.__context__
    return texts


def assert_no_secret(*objects: object, secrets: tuple[str, ...] = (API_KEY, CLIENT_SECRET)) -> None:
    """Fail when a secret shows in the text or repr of an object (or an exception's chain)."""
    for item in objects:
        texts = (
            exception_texts(item) if isinstance(item, BaseException) else [str(item), repr(item)]
        )
        for secret in secrets:
            for text in texts:
                assert secret not in text, f"secret leaked in {text!r}"
