"""Fixtures of the CALLR entry tests: the CALLR simulator on loopback and entries bound to it.

Time is frozen at ``NOW`` (the repository-wide ``frozen_time`` fixture): the simulator's clock, the
client's listing windows and Home Assistant all read it; tests move it with ``tick``.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
import random
from typing import Any

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsmobileapi.api import CallrCredentials
from custom_components.smsmobileapi.const import CONF_BASE_URL, CONF_PROVIDER, DOMAIN
from smsmobileapi_simulator.callr import (
    CallrAccount,
    CallrRequest,
    CallrServer,
    CallrSms,
    CallrState,
    WebhookEvent,
    build_delivery,
)
from tests.conftest import NOW

LOGIN = "ha-callr-login"
# Characters that URL-quoting changes; no word the client reads as an authentication error.
PASSWORD = "pw 7Qx/9+e@Kz41&m"
BASIC_TOKEN = CallrCredentials(LOGIN, PASSWORD).basic_token
CALLR_ENTRY_ID = "01JTESTCALLR0000000000000"
CALLR_WEBHOOK_ID = "test-callr-webhook-id"
WEBHOOK_URL = f"/api/webhook/{CALLR_WEBHOOK_ID}"
HMAC_SECRET = "callr-hmac-secret-0123456789"
# The history found at the first setup (minutes before NOW, sender, text).
HISTORY = (
    (50, "+33612345678", "Old news"),
    (20, "+33698765432", "Earlier reply"),
)


@dataclass
class CallrSim:
    """A running CALLR simulator: its state, the test account and the server."""

    state: CallrState
    account: CallrAccount
    server: CallrServer

    @property
    def url(self) -> str:
        """The API's base URL (``http://127.0.0.1:<port>/rest/v1.1``)."""
        return self.server.base_url

    def requests(self, route: str) -> list[CallrRequest]:
        """The requests of a route such as ``GET /sms`` or ``POST /sms``."""
        return self.state.requests_for(route)

    def windows(self, sms_type: str = "IN") -> list[tuple[str, str]]:
        """The ``from``/``to`` window of every ``GET /sms`` of a type, in order."""
        return [
            (request.query["from"], request.query["to"])
            for request in self.requests("GET /sms")
            if request.query.get("type") == sms_type
        ]

    def incoming(self, sender: str, text: str, *, minutes_ago: float = 0) -> CallrSms:
        """An SMS the account receives now (or some minutes ago), not pushed."""
        return self.state.add_incoming(
            self.account,
            sender,
            text,
            received_at=self.state.now() - timedelta(minutes=minutes_ago),
            push=False,
        )


def delivery(
    sim: CallrSim,
    event_type: str,
    sms: CallrSms,
    *,
    secret: str | None = HMAC_SECRET,
    try_number: int = 0,
    event_id: str | None = None,
    at: datetime | None = None,
) -> tuple[dict[str, str], bytes]:
    """The headers and raw body CALLR posts for an event about ``sms`` (signed with ``secret``).

    Built by the simulator's own delivery code, with the SMS object as the API serves it now.
    """
    event = WebhookEvent(
        event_id or sim.state.new_event_id(),
        event_type,  # type: ignore[arg-type]  # tests also send types CALLR does not have
        at or sim.state.now(),
        "HOOKHASH",
        "http://unused.invalid/",
        secret,
        sim.state.sms_json(sms),
    )
    return build_delivery(event, try_number)


@pytest.fixture(autouse=True)
def no_password_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Whatever a test does, neither the password nor its Basic token reaches a log line."""
    caplog.set_level(logging.DEBUG)
    yield
    assert PASSWORD not in caplog.text
    assert BASIC_TOKEN not in caplog.text


@pytest.fixture
async def callr_sim(socket_enabled: None) -> AsyncIterator[CallrSim]:
    """The CALLR simulator on a free loopback port, with one account (``LOGIN``/``PASSWORD``)."""
    state = CallrState(random.Random(20260923))  # noqa: S311  # reproducible hashes
    state.webhooks.policy.backoff = 0.01
    state.webhooks.policy.timeout = 2.0
    account = state.add_account(LOGIN, PASSWORD)
    server = CallrServer(state)
    await server.start()
    try:
        yield CallrSim(state=state, account=account, server=server)
    finally:
        await server.stop()


@pytest.fixture
def callr_history(callr_sim: CallrSim) -> CallrSim:
    """A few SMS the account received in the hour before ``NOW``."""
    for minutes, sender, text in HISTORY:
        callr_sim.state.add_incoming(
            callr_sim.account,
            sender,
            text,
            received_at=NOW - timedelta(minutes=minutes),
            push=False,
        )
    return callr_sim


@pytest.fixture
def make_callr_entry(hass: HomeAssistant, callr_sim: CallrSim) -> Callable[..., MockConfigEntry]:
    """Build (and add to hass) a CALLR entry bound to the simulator, as the config flow would."""

    def _make(options: dict[str, Any] | None = None, **data: str) -> MockConfigEntry:
        entry = MockConfigEntry(
            domain=DOMAIN,
            entry_id=CALLR_ENTRY_ID,
            title="CALLR",
            unique_id=CallrCredentials(LOGIN, PASSWORD).fingerprint,
            data={
                CONF_PROVIDER: "callr",
                CONF_USERNAME: LOGIN,
                CONF_PASSWORD: PASSWORD,
                CONF_BASE_URL: callr_sim.url,
                CONF_WEBHOOK_ID: CALLR_WEBHOOK_ID,
                **data,
            },
            options=options or {},
        )
        entry.add_to_hass(hass)
        return entry

    return _make


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Set an entry up and wait for everything it started."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def callr_entry(
    hass: HomeAssistant, callr_history: CallrSim, make_callr_entry: Callable[..., MockConfigEntry]
) -> MockConfigEntry:
    """A CALLR entry set up against the simulator (history recorded, nothing fired)."""
    return await setup_entry(hass, make_callr_entry())


@pytest.fixture
async def signed_callr_entry(
    hass: HomeAssistant, callr_history: CallrSim, make_callr_entry: Callable[..., MockConfigEntry]
) -> MockConfigEntry:
    """A CALLR entry whose options hold the webhook subscription's ``hmac_secret``."""
    return await setup_entry(hass, make_callr_entry({"webhook_secret": HMAC_SECRET}))
