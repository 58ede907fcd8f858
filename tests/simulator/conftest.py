"""Fixtures for the simulator's own tests: a seeded state, a fixed clock, an HTTP client."""

from collections.abc import AsyncIterator
from datetime import timedelta
import random

from aiohttp.test_utils import TestClient, TestServer
import pytest

from smsmobileapi_simulator import Account, SimulatorState, create_app

from .helpers import API_KEY, CLIENT_ID, CLIENT_SECRET, NOW, Api, Clock

# The repository-wide conftest has autouse fixtures for Home Assistant tests; these tests need
# no Home Assistant and run on real time (the simulator's timeouts and webhooks use the event
# loop's clock, which frozen time would stop), so the same names are overridden with no-ops.


@pytest.fixture
def auto_enable_custom_integrations() -> None:
    """Override: no Home Assistant integration loading."""


@pytest.fixture
def frozen_time() -> None:
    """Override: real time (the simulator's own clock is the ``clock`` fixture)."""


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow real sockets (Home Assistant's plugin blocks them): these tests use loopback HTTP.

    Home Assistant's plugin still restricts connections to 127.0.0.1.
    """


@pytest.fixture
def clock() -> Clock:
    """A clock fixed at ``NOW`` that tests can move."""
    return Clock(NOW)


@pytest.fixture
def state(clock: Clock) -> SimulatorState:
    """A seeded state on the fixed clock with one account (OAuth2 client too)."""
    sim = SimulatorState(random.Random(1234))  # noqa: S311  # reproducible test data
    sim.clock = clock
    sim.add_account(api_key=API_KEY, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    return sim


@pytest.fixture
def account(state: SimulatorState) -> Account:
    """The account of ``API_KEY``, with one online phone ``phone-1``."""
    acct = state.accounts[API_KEY]
    state.add_phone(
        acct,
        sid="phone-1",
        label="Office",
        battery=87,
        version="4.1.20.0",
        online=True,
        last_seen=NOW - timedelta(minutes=1),
        phone_number="+32470000000",
    )
    return acct


@pytest.fixture
async def api(state: SimulatorState) -> AsyncIterator[Api]:
    """An HTTP client of the simulator application (aiohttp test server on loopback)."""
    async with TestClient(TestServer(create_app(state), host="127.0.0.1")) as client:
        yield Api(client)
