"""Shared fixtures: the SMSMobileAPI simulator on loopback and config entries bound to it."""

# Import our package before Home Assistant's harness imports its own ``custom_components``, or the
# harness' package shadows ours and setup fails with "Integration not found".
import custom_components.smsmobileapi  # noqa: F401, I001  (must stay first)

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
import random
from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_API_KEY, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsmobileapi.const import (
    AUTH_API_KEY,
    CONF_AUTH_TYPE,
    CONF_BASE_URL,
    CONF_PROVIDER,
    DOMAIN,
    PROVIDER_SMSMOBILEAPI,
)
from custom_components.smsmobileapi.api import ApiKeyCredentials
from smsmobileapi_simulator import Account, SimulatorServer, SimulatorState

API_KEY = "test-api-key-0123456789abcdef"
CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret-fedcba9876543210"
WEBHOOK_ID = "test-webhook-id"
ENTRY_ID = "01JTESTENTRY0000000000000"
# Fixed "now" of every test that freezes time (a Sunday in Brussels' summer time).
NOW = datetime(2026, 9, 23, 12, 0, 0, tzinfo=UTC)


@dataclass
class Simulator:
    """A running simulator with one account."""

    state: SimulatorState
    account: Account
    server: SimulatorServer

    @property
    def url(self) -> str:
        """The simulator's base URL."""
        return self.server.url

    def requests_to(self, path: str) -> list[dict[str, str]]:
        """Query and form fields of every request the simulator got on ``path``."""
        return [
            {**request.query, **request.form}
            for request in self.state.requests
            if request.path.rstrip("/") == path.rstrip("/")
        ]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load this custom integration in every test."""


@pytest.fixture(autouse=True)
def no_deprecated_use(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Home Assistant reports the integration's use of a deprecated API: no test may see one."""
    yield
    assert "custom integration 'smsmobileapi'" not in caplog.text


@pytest.fixture(autouse=True)
def frozen_time(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Start every test at ``NOW``, before Home Assistant starts; tests move it with freezer."""
    freezer.move_to(NOW)
    return freezer


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncIterator[Simulator]:
    """Run the simulator on a free loopback port, with one account and its API key.

    Home Assistant's harness blocks sockets; the simulator needs a real one on 127.0.0.1.
    """
    # Seeded: generated GUIDs are the same on every run, so snapshots are stable.
    state = SimulatorState(rng=random.Random(20260923))  # noqa: S311
    account = state.add_account(api_key=API_KEY, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    server = SimulatorServer(state, host="127.0.0.1", port=0)
    await server.start()
    try:
        yield Simulator(state=state, account=account, server=server)
    finally:
        await server.stop()


@pytest.fixture
def seeded(simulator: Simulator) -> Simulator:
    """Two phones, a few received SMS and calls of every kind, all in the last hour before NOW."""
    state, account = simulator.state, simulator.account
    now = NOW
    state.add_phone(
        account,
        sid="phone-kitchen",
        label="Kitchen phone",
        battery=82,
        version="4.1.20.0",
        online=True,
        last_seen=now - timedelta(minutes=2),
        phone_number="+32470000000",
    )
    state.add_phone(
        account,
        sid="phone-office",
        label="Office phone",
        battery=45,
        version="4.1.19.2",
        online=False,
        last_seen=now - timedelta(hours=3),
        phone_number="+32470000009",
    )
    for minutes, number, text in (
        (50, "+32470000001", "Dinner at 8?"),
        (30, "+32470000002", "Parcel delivered"),
        (10, "+32470000001", "See you"),
    ):
        state.add_received_sms(
            account,
            number=number,
            message=text,
            received_at=now - timedelta(minutes=minutes),
            sid="phone-kitchen",
        )
    state.add_call(
        account,
        call_type="missed",
        number="+32470000003",
        name="Alex",
        at=now - timedelta(minutes=20),
        duration=0,
    )
    state.add_call(
        account,
        call_type="incoming",
        number="+32470000004",
        name="Sam",
        at=now - timedelta(minutes=40),
        duration=125,
    )
    state.add_call(
        account,
        call_type="outgoing",
        number="+32470000005",
        name=None,
        at=now - timedelta(minutes=15),
        duration=42,
    )
    return simulator


@pytest.fixture
def make_entry(hass: HomeAssistant, simulator: Simulator) -> Callable[..., MockConfigEntry]:
    """Build (and add to hass) an API-key config entry bound to the simulator."""

    def _make(**data: str) -> MockConfigEntry:
        entry = MockConfigEntry(
            domain=DOMAIN,
            entry_id=ENTRY_ID,
            title="SMSMobileAPI",
            unique_id=ApiKeyCredentials(API_KEY).fingerprint,
            data={
                CONF_PROVIDER: PROVIDER_SMSMOBILEAPI,
                CONF_AUTH_TYPE: AUTH_API_KEY,
                CONF_API_KEY: API_KEY,
                CONF_BASE_URL: simulator.url,
                CONF_WEBHOOK_ID: WEBHOOK_ID,
                **data,
            },
        )
        entry.add_to_hass(hass)
        return entry

    return _make


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> MockConfigEntry:
    """A config entry set up against the seeded simulator."""
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
