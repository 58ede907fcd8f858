"""Fixtures of the CALLR client's tests: the CALLR simulator on loopback, sessions and clients.

Time stays frozen at ``NOW`` (the repository-wide ``frozen_time`` fixture): the simulator's clock
and the client's default clock both read it; the event loop's clock runs in real time (see the
parent ``conftest``), so timeouts and the simulator's delays behave as in production.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
import json
from pathlib import Path
import random
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.smsmobileapi.api import CallrClient, CallrCredentials
from smsmobileapi_simulator.callr import CallrAccount, CallrRequest, CallrServer, CallrState
from tests.api.conftest import FAST_TIMEOUT, NOW, REQUEST_TIMEOUT, exception_texts

LOGIN = "ha-callr-login"
# Characters that URL-quoting changes, and no word the client reads as an authentication error.
PASSWORD = "pw 7Qx/9+e@Kz41&m"
NOW_TEXT = "2026-09-23 12:00:00"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "callr"
FIXTURE_SECRET = "callr-fixture-secret"
__all__ = ["FAST_TIMEOUT", "NOW", "REQUEST_TIMEOUT"]


def fixture(name: str) -> Any:  # noqa: ANN401  # decoded JSON of any shape
    """Return a shipped CALLR fixture, decoded."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def delivery(name: str) -> tuple[dict[str, str], bytes]:
    """The headers and exact raw body of a shipped webhook fixture."""
    data = fixture(name)
    return dict(data["headers"]), data["raw_body"].encode()


@dataclass
class CallrSim:
    """A running CALLR simulator: its state, the test account, the server and the base URL."""

    state: CallrState
    account: CallrAccount
    server: CallrServer
    url: str

    def requests(self, route: str | None = None) -> list[CallrRequest]:
        """The requests received (of one route such as ``GET /sms``, or all)."""
        if route is None:
            return list(self.state.requests)
        return self.state.requests_for(route)

    def only(self, route: str) -> CallrRequest:
        """The single request of a route (fails when not exactly one)."""
        requests = self.requests(route)
        assert len(requests) == 1, requests
        return requests[0]


@pytest.fixture
async def callr(socket_enabled: None) -> AsyncIterator[CallrSim]:
    """The CALLR simulator on a free loopback port, with one account (``LOGIN``/``PASSWORD``)."""
    state = CallrState(random.Random(20260923))  # noqa: S311  # reproducible hashes
    state.webhooks.policy.backoff = 0.01
    state.webhooks.policy.timeout = 2.0
    account = state.add_account(LOGIN, PASSWORD)
    server = CallrServer(state)
    await server.start()
    try:
        yield CallrSim(state=state, account=account, server=server, url=server.base_url)
    finally:
        await server.stop()


@pytest.fixture
def make_client(session: aiohttp.ClientSession, callr: CallrSim) -> Callable[..., CallrClient]:
    """Build a client of the simulator; keyword arguments override the defaults."""

    def _make(credentials: CallrCredentials | None = None, **kwargs: Any) -> CallrClient:  # noqa: ANN401
        kwargs.setdefault("base_url", callr.url)
        kwargs.setdefault("request_timeout", REQUEST_TIMEOUT)
        return CallrClient(session, credentials or CallrCredentials(LOGIN, PASSWORD), **kwargs)

    return _make


@pytest.fixture
def client(make_client: Callable[..., CallrClient]) -> CallrClient:
    """A client of the test account."""
    return make_client()


@pytest.fixture
def fast_client(make_client: Callable[..., CallrClient]) -> CallrClient:
    """A client that gives up after ``FAST_TIMEOUT`` seconds."""
    return make_client(request_timeout=FAST_TIMEOUT)


type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def raw_server(socket_enabled: None) -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """Start a loopback server answering every request with a handler; returns its base URL.

    For what the simulator cannot serve: a redirect with a Location, a chunked body.
    """
    servers: list[TestServer] = []

    async def _start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return str(server.make_url("/rest/v1.1"))

    yield _start
    for server in servers:
        await server.close()


def assert_no_password(*objects: object, secrets: tuple[str, ...] = ()) -> None:
    """Fail when the password (or its Basic token) shows in an object or exception chain."""
    wanted = (PASSWORD, CallrCredentials(LOGIN, PASSWORD).basic_token, *secrets)
    for item in objects:
        texts = (
            exception_texts(item) if isinstance(item, BaseException) else [str(item), repr(item)]
        )
        for secret in wanted:
            for text in texts:
                assert secret not in text, f"secret leaked in {text!r}"
