"""The first sync reads what it needs (the newest SMS, the unread count, what polls read again).

Not the history: the unread list (for the count), then from 15 minutes before the newest unread
SMS (or windows back from now, widened while empty: 20 minutes, 160, 1 280, 7 days), back to the
start of the local day when that day holds few SMS. Whatever it reads is recorded and fires
nothing; a later poll, which starts 15 minutes before the newest SMS recorded, fires nothing of
the history either; a new SMS fires once. Home Assistant's test time zone is US/Pacific: at
``NOW`` (12:00 UTC) the local day started at 07:00 UTC.
"""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
import random

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.smsmobileapi import first_sync as first_sync_module
from custom_components.smsmobileapi.const import (
    CONF_BASE_URL,
    CONF_POLL_SMS,
    CONF_PROVIDER,
    DOMAIN,
    EVENT_SMS_RECEIVED,
    PROVIDER_CALLR,
    SMS_SCAN_INTERVAL,
)
from smsmobileapi_simulator import Fault, SimReceivedSms, build_legacy_body
from smsmobileapi_simulator.callr import CallrServer, CallrState

from .conftest import NOW, WEBHOOK_ID, Simulator
from .helpers import tick

DAY_START = datetime(2026, 9, 23, 7, 0, 0, tzinfo=UTC)
LAST_SMS = "sensor.smsmobileapi_last_sms_received"
TODAY = "sensor.smsmobileapi_sms_received_today"
UNREAD = "sensor.smsmobileapi_unread_sms"


def _unix(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def _sms(simulator: Simulator, ago: timedelta, *, read: bool = False) -> SimReceivedSms:
    return simulator.state.add_received_sms(
        simulator.account, "+32470000001", f"{ago} ago", received_at=NOW - ago, read=read
    )


def _windows(simulator: Simulator) -> list[str | None]:
    """The ``after_timestamp_unix`` of each /getsms/ request ("unread" for the unread list)."""
    return [
        "unread" if fields.get("onlyunread") == "yes" else fields.get("after_timestamp_unix")
        for fields in simulator.requests_to("/getsms/")
    ]


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
def no_day_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read back to the start of the day: only what exactly-once needs is read."""
    monkeypatch.setattr(first_sync_module, "DAY_ROWS", -1)


async def test_a_long_history_reads_the_unread_list_and_the_overlap(
    hass: HomeAssistant,
    simulator: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """3 000 SMS today (too many to read back to the day's start): the last 15 minutes only."""
    history = simulator.state.add_received_bulk(simulator.account, 3000)
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    entry = make_entry()
    await _setup(hass, entry)
    newest = history[-1]
    assert _windows(simulator) == ["unread", _unix(newest.received_at - timedelta(minutes=15))]
    assert events == []
    assert hass.states.get(LAST_SMS).attributes["guid"] == newest.guid
    assert hass.states.get(UNREAD).state == "3000"
    # What the first sync read: the overlap only (one SMS a second), not the history.
    assert hass.states.get(TODAY).state == "900"
    assert len(entry.runtime_data.inbox.ledger) == 900
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert events == []
    new = _sms(simulator, timedelta(0))
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [event.data["guid"] for event in events] == [new.guid]


async def test_few_sms_today_are_all_read_and_counted(
    hass: HomeAssistant,
    simulator: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A quiet day: read from its start (one request), so today's SMS are all counted."""
    yesterday = _sms(simulator, timedelta(hours=6))
    for hours in (4, 2, 0.2):
        _sms(simulator, timedelta(hours=hours))
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await _setup(hass, make_entry())
    assert _windows(simulator) == ["unread", _unix(DAY_START)]
    assert events == []
    assert hass.states.get(TODAY).state == "3"
    assert hass.states.get(UNREAD).state == "4"
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert events == []
    assert yesterday.guid not in {event.data["guid"] for event in events}


async def test_read_sms_around_the_newest_unread_one_are_recorded(
    hass: HomeAssistant,
    simulator: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    no_day_read: None,
) -> None:
    """SMS marked read (so not in the unread list) before and after the newest unread one.

    A later poll reads them again: the first sync must have recorded them.
    """
    _sms(simulator, timedelta(hours=1))
    anchor = _sms(simulator, timedelta(minutes=20))
    _sms(simulator, timedelta(minutes=30), read=True)
    _sms(simulator, timedelta(minutes=2), read=True)
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await _setup(hass, make_entry())
    assert _windows(simulator) == ["unread", _unix(anchor.received_at - timedelta(minutes=15))]
    for _ in range(3):
        await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert events == []


async def test_an_unread_sms_dated_in_the_future_hides_nothing(
    hass: HomeAssistant,
    simulator: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    no_day_read: None,
) -> None:
    """A phone whose clock is an hour ahead: the first sync still reads the last 15 minutes."""
    _sms(simulator, -timedelta(hours=1))
    _sms(simulator, timedelta(minutes=5), read=True)
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await _setup(hass, make_entry())
    assert _windows(simulator)[1] == _unix(NOW - timedelta(minutes=15))
    for _ in range(3):
        await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert events == []


async def test_without_unread_sms_windows_widen_until_one_holds_an_sms(
    hass: HomeAssistant,
    simulator: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Every SMS read: 20 minutes, then 160 (an SMS), then back to the day's start."""
    _sms(simulator, timedelta(days=2), read=True)
    newest = _sms(simulator, timedelta(hours=2), read=True)
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await _setup(hass, make_entry())
    assert _windows(simulator) == [
        "unread",
        _unix(NOW - timedelta(minutes=20)),
        _unix(NOW - timedelta(minutes=160)),
        _unix(DAY_START),
    ]
    assert hass.states.get(LAST_SMS).attributes["guid"] == newest.guid
    assert hass.states.get(UNREAD).state == "0"
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert events == []


async def test_an_empty_week_ends_the_search(
    hass: HomeAssistant,
    simulator: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Nothing in seven days: four windows, then polls from the end of the first sync."""
    _sms(simulator, timedelta(days=8), read=True)
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await _setup(hass, make_entry())
    assert _windows(simulator) == [
        "unread",
        _unix(NOW - timedelta(minutes=20)),
        _unix(NOW - timedelta(minutes=160)),
        _unix(NOW - timedelta(minutes=1280)),
        _unix(NOW - timedelta(days=7)),
    ]
    assert hass.states.get(LAST_SMS).state == "unknown"
    simulator.state.requests.clear()
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert _windows(simulator) == [_unix(NOW - timedelta(minutes=15))]
    new = _sms(simulator, -SMS_SCAN_INTERVAL)
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [event.data["guid"] for event in events] == [new.guid]


async def test_the_overlap_before_the_newest_sms_is_read_too(
    hass: HomeAssistant,
    simulator: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The newest SMS is 18 minutes old, the day 10 minutes: polls start 33 minutes back.

    The first window (20 minutes) does not reach there: the first sync reads from there too.
    """
    freezer.move_to(DAY_START + timedelta(minutes=10))
    now = DAY_START + timedelta(minutes=10)
    older = simulator.state.add_received_sms(
        simulator.account, "+1", "older", received_at=now - timedelta(minutes=30), read=True
    )
    newest = simulator.state.add_received_sms(
        simulator.account, "+1", "newest", received_at=now - timedelta(minutes=18), read=True
    )
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    entry = make_entry()
    await _setup(hass, entry)
    assert _windows(simulator) == [
        "unread",
        _unix(now - timedelta(minutes=20)),
        _unix(newest.received_at - timedelta(minutes=15)),
    ]
    assert entry.runtime_data.inbox.knows_sms(older.guid)
    for _ in range(3):
        await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert events == []


async def test_interrupted_after_reading_then_retried_fires_nothing(
    hass: HomeAssistant,
    simulator: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A long history, the phone list failing once: the retry records, the next SMS fires."""
    simulator.state.add_phone(simulator.account, sid="phone-kitchen", label="Kitchen")
    simulator.state.add_received_bulk(simulator.account, 2000)
    simulator.state.faults.add(Fault(kind="status", status=500, path="/gateway/mobile/list/"))
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    entry = make_entry()
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    meanwhile = _sms(simulator, timedelta(0))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.inbox.knows_sms(meanwhile.guid)
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert events == []
    new = _sms(simulator, -SMS_SCAN_INTERVAL)
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [event.data["guid"] for event in events] == [new.guid]


async def test_pushed_sms_alone_keep_a_bounded_day_count(
    hass: HomeAssistant,
    simulator: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    hass_client_no_auth: Callable[..., object],
) -> None:
    """Polling off, 300 SMS pushed over three days: today's counted, the old ones forgotten."""
    entry = make_entry()
    hass.config_entries.async_update_entry(entry, options={CONF_POLL_SMS: False})
    await _setup(hass, entry)
    client = await hass_client_no_auth()  # type: ignore[operator]
    for index in range(300):
        sms = simulator.state.add_received_sms(
            simulator.account,
            "+32470000001",
            f"pushed {index}",
            received_at=NOW - timedelta(hours=72) + timedelta(minutes=15 * index),
        )
        response = await client.post(f"/api/webhook/{WEBHOOK_ID}", data=build_legacy_body(sms))
        assert response.status == 200
    await hass.async_block_till_done()
    pushed_today = sum(1 for sms in simulator.account.received if sms.received_at >= DAY_START)
    assert hass.states.get(TODAY).state == str(pushed_today)
    recent = entry.runtime_data.coordinator.data.recent_sms_times
    assert len(recent) < 300
    assert min(recent) >= NOW - timedelta(hours=48) - timedelta(hours=24)


# --- CALLR: no unread list, so windows back from now ------------------------------------------

CALLR_LOGIN = "first-sync-login"
CALLR_PASSWORD = "first-sync-password"


@pytest.fixture
async def callr_server(socket_enabled: None) -> AsyncIterator[CallrServer]:
    """The CALLR simulator on loopback, with one account."""
    state = CallrState(random.Random(13))  # noqa: S311 - reproducible hashes
    state.add_account(CALLR_LOGIN, CALLR_PASSWORD)
    server = CallrServer(state)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_callr_first_sync_reads_the_last_minutes_not_a_week(
    hass: HomeAssistant, callr_server: CallrServer, freezer: FrozenDateTimeFactory
) -> None:
    """5 000 SMS, one every 10 seconds: one 20-minute window, nothing fired, then once each.

    A week of them (5 MiB) would not even fit in one CALLR answer (4 MiB at most).
    """
    state = callr_server.state
    account = state.default_account()
    assert account is not None
    for index in range(5000):
        state.add_incoming(
            account,
            "+33612345678",
            f"history {index}",
            received_at=NOW - timedelta(seconds=10 * (5000 - index)),
            push=False,
        )
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="CALLR",
        unique_id="callr-first-sync",
        data={
            CONF_PROVIDER: PROVIDER_CALLR,
            CONF_USERNAME: CALLR_LOGIN,
            CONF_PASSWORD: CALLR_PASSWORD,
            CONF_BASE_URL: callr_server.base_url,
            CONF_WEBHOOK_ID: "callr-first-sync-webhook",
        },
    )
    entry.add_to_hass(hass)
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await _setup(hass, entry)
    assert [request.query["from"] for request in state.requests_for("GET /sms")] == [
        "2026-09-23 11:40:00"
    ]
    assert events == []
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert events == []
    new = state.add_incoming(account, "+33612345678", "new", push=False)
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [event.data["guid"] for event in events] == [new.hash]
