"""Fixtures of the CALLR simulator's tests: a seeded state on a fixed clock, an HTTP client.

The names ``state``, ``account`` and ``api`` override the SMSMobileAPI ones of the parent folder.
"""

from collections.abc import AsyncIterator
import random

from aiohttp.test_utils import TestClient, TestServer
import pytest

from smsmobileapi_simulator.callr import CallrAccount, CallrState, create_callr_app
from tests.simulator.helpers import Clock

from .helpers import LOGIN, PASSWORD, CallrApi, Receiver


@pytest.fixture
def state(clock: Clock) -> CallrState:
    """A seeded CALLR state on the fixed clock, with tiny webhook backoff."""
    sim = CallrState(random.Random(4321))  # noqa: S311  # reproducible test data
    sim.clock = clock
    sim.webhooks.policy.backoff = 0.01
    sim.webhooks.policy.timeout = 2.0
    return sim


@pytest.fixture
def account(state: CallrState) -> CallrAccount:
    """The test account (``LOGIN``/``PASSWORD``)."""
    return state.add_account(LOGIN, PASSWORD)


@pytest.fixture
async def api(state: CallrState, account: CallrAccount) -> AsyncIterator[CallrApi]:
    """An HTTP client of the CALLR application (aiohttp test server on loopback)."""
    async with TestClient(TestServer(create_callr_app(state), host="127.0.0.1")) as client:
        yield CallrApi(client)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A running webhook receiver that answers 200."""
    hook = Receiver()
    await hook.server.start_server()
    yield hook
    await hook.server.close()
