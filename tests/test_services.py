"""The actions, end to end against the simulator: what is sent, what comes back, every error."""

import asyncio
from collections.abc import Awaitable, Iterator
from datetime import timedelta
import json
import logging
from typing import Any

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_KEY, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
import voluptuous as vol
from yarl import URL

from custom_components.smsmobileapi.api import Capability
from custom_components.smsmobileapi.const import DOMAIN, SLOW_SCAN_INTERVAL, SMS_SCAN_INTERVAL
from custom_components.smsmobileapi.services import MAX_PARALLEL_REQUESTS
from smsmobileapi_simulator import Fault, SimulatorState
import smsmobileapi_simulator.app as simulator_app
from smsmobileapi_simulator.endpoints import Endpoint

from .conftest import API_KEY, NOW, Simulator
from .helpers import tick

SENT_FIELDS = {"from": "homeassistant", "apikey": API_KEY}


async def _call(
    hass: HomeAssistant, service: str, data: dict[str, Any], *, response: bool = False
) -> ServiceResponse:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


def _phone_device(hass: HomeAssistant, sid: str) -> dr.DeviceEntry:
    registry = dr.async_get(hass)
    [device] = [
        device
        for entry in hass.config_entries.async_entries(DOMAIN)
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
        if (DOMAIN, f"phone_{sid}") in device.identifiers
    ]
    return device


def _device_names(hass: HomeAssistant, response: object) -> object:
    """The response with each device id replaced by the device's name (ids are random)."""
    registry = dr.async_get(hass)
    if isinstance(response, dict):
        return {
            key: (
                registry.async_get(value).name
                if key == "device_id" and value is not None
                else _device_names(hass, value)
            )
            for key, value in response.items()
        }
    if isinstance(response, list):
        return [_device_names(hass, item) for item in response]
    return response


async def _with_running_clock[T](freezer: FrozenDateTimeFactory, awaitable: Awaitable[T]) -> T:
    """Await while moving the frozen clock (which the event loop's timers use) in small steps.

    Time is frozen in these tests; the simulator's latency and the client's timeout wait on
    the event loop's clock, so it has to move for them to end.
    """
    task = asyncio.ensure_future(awaitable)
    while not task.done():
        freezer.tick(0.001)
        await asyncio.sleep(0)
    return await task


@pytest.fixture(autouse=True)
def no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Whatever a test does, no API key reaches a log line."""
    caplog.set_level(logging.DEBUG)
    yield
    assert API_KEY not in caplog.text


@pytest.fixture
def in_flight(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the simulator's API requests being served at the same time (now and at most)."""
    counts = {"now": 0, "max": 0}
    serve = simulator_app._serve

    async def _counting(
        state: SimulatorState, endpoint: Endpoint, request: web.Request
    ) -> web.StreamResponse:
        if endpoint.path != "/sendsms/":
            return await serve(state, endpoint, request)
        counts["now"] += 1
        counts["max"] = max(counts["max"], counts["now"])
        try:
            return await serve(state, endpoint, request)
        finally:
            counts["now"] -= 1

    monkeypatch.setattr(simulator_app, "_serve", _counting)
    return counts


@pytest.fixture
async def second_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> MockConfigEntry:
    """A second account, loaded next to the first one."""
    seeded.state.add_account(api_key="second-account-key")
    entry = MockConfigEntry(
        domain=DOMAIN,
        entry_id="01JTESTENTRY0000000000002",
        title="Second",
        unique_id="second",
        data={
            **loaded_entry.data,
            CONF_API_KEY: "second-account-key",
            CONF_WEBHOOK_ID: "second-webhook-id",
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


# --- send_message ----------------------------------------------------------------------------


async def test_send_message(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """One SMS: the simulator gets exactly these fields, the response its message id."""
    response = await _call(
        hass,
        "send_message",
        {"recipients": ["+32 470 00 00 01"], "message": "Dinner is ready"},
        response=True,
    )
    assert seeded.requests_to("/sendsms/") == [
        {"recipients": "+32470000001", "message": "Dinner is ready", **SENT_FIELDS}
    ]
    [sent] = seeded.state.sent
    assert response == {
        "messages": [{"recipient": "+32470000001", "guid": sent.guid, "status": "queued"}]
    }
    assert API_KEY not in json.dumps(response)


async def test_send_message_without_response(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """The response is optional: a plain call sends all the same."""
    assert (
        await _call(hass, "send_message", {"recipients": "+32470000001", "message": "Hi"}) is None
    )
    assert [sent.recipients for sent in seeded.state.sent] == ["+32470000001"]


async def test_send_message_with_every_option(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """WhatsApp from a chosen phone and SIM, scheduled, shortened, encrypted, with media."""
    kitchen = _phone_device(hass, "phone-kitchen")
    schedule = NOW + timedelta(hours=2)
    response = await _call(
        hass,
        "send_message",
        {
            "config_entry_id": loaded_entry.entry_id,
            "recipients": ["+32470000001"],
            "message": "See https://example.com/a/long/link",
            "channel": "whatsapp",
            "phone": kitchen.id,
            "sim": "2",
            "schedule": schedule.isoformat(),
            "shorten_urls": True,
            "encrypt": True,
            "media_url": "https://example.com/snapshot.jpg",
        },
        response=True,
    )
    assert seeded.requests_to("/sendsms/") == [
        {
            "recipients": "32470000001",
            "message": "See https://example.com/a/long/link",
            "port": "2",
            "sIdentifiant": "phone-kitchen",
            "shorturl": "1",
            "encrypt_message": "yes",
            "url_media": "https://example.com/snapshot.jpg",
            "sendwa": "1",
            "sendsms": "0",
            "waonly": "yes",
            "schedule_timestamp": str(int(schedule.timestamp())),
            **SENT_FIELDS,
        }
    ]
    assert response["messages"][0]["status"] == "scheduled"
    assert response["messages"][0]["recipient"] == "+32470000001"


async def test_send_message_naive_schedule_is_local_time(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A schedule without a time zone is Home Assistant's local time, sent in UTC."""
    # NOW is 05:00 in US/Pacific (the test time zone): 07:30 local is 14:30 UTC.
    await _call(
        hass,
        "send_message",
        {"recipients": ["+32470000001"], "message": "Later", "schedule": "2026-09-23 07:30:00"},
    )
    expected = int((NOW + timedelta(hours=2, minutes=30)).timestamp())
    assert seeded.requests_to("/sendsms/")[0]["schedule_timestamp"] == str(expected)


async def test_send_message_sms_and_whatsapp(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Both channels at once: the number keeps its "+" (the SMS needs it)."""
    await _call(
        hass,
        "send_message",
        {"recipients": ["+32470000001"], "message": "Both", "channel": "sms_whatsapp"},
    )
    assert seeded.requests_to("/sendsms/") == [
        {
            "recipients": "+32470000001",
            "message": "Both",
            "sendwa": "1",
            "sendsms": "1",
            **SENT_FIELDS,
        }
    ]


async def test_send_message_option_defaults(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Without a channel or SIM the entry's options decide; the action's own values win."""
    hass.config_entries.async_update_entry(
        loaded_entry, options={"default_channel": "whatsapp", "default_sim": "2"}
    )
    await _call(hass, "send_message", {"recipients": ["+32470000001"], "message": "A"})
    await _call(
        hass,
        "send_message",
        {"recipients": ["+32470000001"], "message": "B", "channel": "sms", "sim": 1},
    )
    hass.config_entries.async_update_entry(
        loaded_entry, options={"default_channel": "pigeon", "default_sim": "automatic"}
    )
    await _call(hass, "send_message", {"recipients": ["+32470000001"], "message": "C"})
    assert seeded.requests_to("/sendsms/") == [
        {
            "recipients": "32470000001",
            "message": "A",
            "port": "2",
            "sendwa": "1",
            "sendsms": "0",
            "waonly": "yes",
            **SENT_FIELDS,
        },
        {"recipients": "+32470000001", "message": "B", "port": "1", **SENT_FIELDS},
        {"recipients": "+32470000001", "message": "C", **SENT_FIELDS},
    ]


async def test_send_message_national_numbers(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """National numbers use Home Assistant's country; duplicates are sent once, in order."""
    hass.config.country = "BE"
    response = await _call(
        hass,
        "send_message",
        {"recipients": "0470 00 00 02, +32470000001, 0470/00.00.02, ", "message": "Hi"},
        response=True,
    )
    assert [item["recipient"] for item in response["messages"]] == [
        "+32470000002",
        "+32470000001",
    ]
    assert sorted(request["recipients"] for request in seeded.requests_to("/sendsms/")) == [
        "+32470000001",
        "+32470000002",
    ]


async def test_send_message_many_recipients_bounded(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    in_flight: dict[str, int],
    freezer: FrozenDateTimeFactory,
) -> None:
    """50 recipients go out a few at a time: never more than the bound, not one by one."""
    seeded.state.latency = 0.05
    numbers = [f"+324700000{index:02d}" for index in range(50)]
    response = await _with_running_clock(
        freezer,
        _call(hass, "send_message", {"recipients": numbers, "message": "Storm"}, response=True),
    )
    assert in_flight["max"] == MAX_PARALLEL_REQUESTS
    assert [item["recipient"] for item in response["messages"]] == numbers
    guids = {sent.recipients: sent.guid for sent in seeded.state.sent}
    assert [item["guid"] for item in response["messages"]] == [guids[n] for n in numbers]
    assert len(seeded.requests_to("/sendsms/")) == 50


@pytest.mark.parametrize(
    ("data", "translation_key", "message"),
    [
        ({"message": "  "}, "empty_message", "The message is empty"),
        (
            {"recipients": ["+32470000001", "12"]},
            "invalid_number",
            (
                "12 is not a valid phone number. Use the international format, such as "
                "+32 470 12 34 56"
            ),
        ),
        (
            {"recipients": ["0470000001"]},
            "invalid_number",
            (
                "0470000001 is not a valid phone number. Use the international format, such "
                "as +32 470 12 34 56"
            ),
        ),
        ({"recipients": [" ", ""]}, "no_recipients", "Give at least one recipient"),
        (
            {"media_url": "https://example.com/a.jpg"},
            "media_url_needs_whatsapp",
            (
                "A media URL can only be sent with WhatsApp: choose the WhatsApp or the SMS "
                "and WhatsApp channel"
            ),
        ),
        (
            {"media_url": "http://example.com/a.jpg", "channel": "whatsapp"},
            "media_url_not_https",
            "The media URL http://example.com/a.jpg is not an https:// link",
        ),
        (
            {"schedule": (NOW - timedelta(minutes=1)).isoformat()},
            "schedule_in_past",
            "The schedule time 2026-09-23T04:59-07:00 is in the past",
        ),
        (
            {"phone": "not-a-device"},
            "unknown_phone",
            "not-a-device is not a phone of the SMSMobileAPI account SMSMobileAPI",
        ),
        (
            {"config_entry_id": "nope"},
            "config_entry_not_found",
            "No SMSMobileAPI account has the config entry ID nope",
        ),
    ],
    ids=[
        "empty_message",
        "invalid_number",
        "national_without_country",
        "no_recipients",
        "media_on_sms",
        "media_not_https",
        "schedule_in_past",
        "unknown_phone",
        "unknown_entry",
    ],
)
async def test_send_message_invalid_input(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    data: dict[str, Any],
    translation_key: str,
    message: str,
) -> None:
    """Bad input is refused with a translated message before anything is sent."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "send_message", {"recipients": ["+32470000001"], "message": "Hi", **data})
    assert err.value.translation_key == translation_key
    assert str(err.value) == message
    assert seeded.requests_to("/sendsms/") == []


async def test_send_message_phone_no_longer_connected(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A phone that left the account cannot send, by device or by its own id."""
    office = _phone_device(hass, "phone-office")
    seeded.state.delete_phone(seeded.account, "phone-office")
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    for phone in (office.id, "phone-office"):
        with pytest.raises(ServiceValidationError) as err:
            await _call(
                hass,
                "send_message",
                {"recipients": ["+32470000001"], "message": "Hi", "phone": phone},
            )
        assert err.value.translation_key in {"unknown_phone", "phone_not_connected"}
    assert seeded.requests_to("/sendsms/") == []


async def test_send_message_phone_by_its_own_id(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """The phone may also be named by its SMSMobileAPI id."""
    await _call(
        hass,
        "send_message",
        {"recipients": ["+32470000001"], "message": "Hi", "phone": "phone-office"},
    )
    assert seeded.requests_to("/sendsms/")[0]["sIdentifiant"] == "phone-office"


async def test_send_message_unloaded_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """An unloaded entry cannot send; without any loaded entry, neither can the default."""
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    data = {"recipients": ["+32470000001"], "message": "Hi"}
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "send_message", {**data, "config_entry_id": loaded_entry.entry_id})
    assert err.value.translation_key == "config_entry_not_loaded"
    assert str(err.value) == (
        "The SMSMobileAPI account SMSMobileAPI is not loaded. Check it on the integration page"
    )
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "send_message", data)
    assert err.value.translation_key == "no_loaded_entry"
    assert seeded.requests_to("/sendsms/") == []


async def test_send_message_needs_entry_when_several(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    second_entry: MockConfigEntry,
    seeded: Simulator,
) -> None:
    """With two accounts the entry must be named, unless the phone tells which one."""
    data = {"recipients": ["+32470000001"], "message": "Hi"}
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "send_message", data)
    assert err.value.translation_key == "config_entry_required"
    await _call(hass, "send_message", {**data, "config_entry_id": second_entry.entry_id})
    await _call(hass, "send_message", {**data, "phone": _phone_device(hass, "phone-kitchen").id})
    assert [request["apikey"] for request in seeded.requests_to("/sendsms/")] == [
        "second-account-key",
        API_KEY,
    ]


async def test_send_message_partial_failure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """One recipient fails: the error says who got it and who did not; nothing is retried."""
    seeded.state.faults.add(Fault(kind="status", path="/sendsms/", times=1))
    numbers = ["+32470000001", "+32470000002", "+32470000003"]
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "send_message", {"recipients": numbers, "message": "Hi"})
    sent = [number for number in numbers if number in {s.recipients for s in seeded.state.sent}]
    [failed] = [number for number in numbers if number not in sent]
    assert len(sent) == 2
    assert err.value.translation_key == "send_failed"
    assert str(err.value) == (
        f"The message did not reach every recipient. Sent: {', '.join(sent)}. Not sent: "
        f"{failed} (/sendsms/ failed with error server_error: Simulated failure). No answer in "
        "time, so it may still be sent (check the sent messages before sending again): -"
    )
    assert len(seeded.requests_to("/sendsms/")) == 3
    assert API_KEY not in str(err.value)


async def test_send_message_timeout_is_not_retried(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No answer in time: the message may have gone out, so it is reported, never resent."""
    loaded_entry.runtime_data.client._timeout = 0.1
    seeded.state.faults.add(Fault(kind="timeout", path="/sendsms/", delay=0.2))
    with pytest.raises(HomeAssistantError) as err:
        await _with_running_clock(
            freezer,
            _call(hass, "send_message", {"recipients": ["+32470000001"], "message": "Hi"}),
        )
    # Let the simulator finish its late answer (nobody reads it).
    await _with_running_clock(freezer, asyncio.sleep(0.2))
    assert err.value.translation_placeholders == {
        "sent": "-",
        "not_sent": "-",
        "unknown": "+32470000001",
    }
    assert len(seeded.requests_to("/sendsms/")) == 1


async def test_send_message_dropped_connection_is_uncertain(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A connection dropped after the request went out may have sent the message."""
    seeded.state.faults.add(Fault(kind="reset", path="/sendsms/"))
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "send_message", {"recipients": ["+32470000001"], "message": "Hi"})
    assert err.value.translation_placeholders["unknown"] == "+32470000001"
    assert len(seeded.requests_to("/sendsms/")) == 1


async def test_send_message_unreachable_is_not_sent(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A service that cannot be reached at all sent nothing."""
    loaded_entry.runtime_data.client._base_url = URL("http://127.0.0.1:9/")
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "send_message", {"recipients": ["+32470000001"], "message": "Hi"})
    placeholders = err.value.translation_placeholders
    assert placeholders["unknown"] == "-"
    assert placeholders["not_sent"].startswith("+32470000001 (Error while requesting /sendsms/")


async def test_send_message_stops_after_rate_limit(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Once the service says slow down, the recipients still waiting are not tried."""
    seeded.state.faults.add(Fault(kind="rate_limit", path="/sendsms/", times=None))
    numbers = [f"+324700000{index:02d}" for index in range(12)]
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "send_message", {"recipients": numbers, "message": "Hi"})
    assert len(seeded.requests_to("/sendsms/")) == MAX_PARALLEL_REQUESTS
    placeholders = err.value.translation_placeholders
    assert placeholders["sent"] == "-"
    assert [part.split(" ")[0] for part in placeholders["not_sent"].split("; ")] == numbers


async def test_send_message_rejected_key_starts_reauth(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A rejected key fails the send and asks the user to sign in again."""
    seeded.state.faults.add(Fault(kind="invalid_key", path="/sendsms/"))
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "send_message", {"recipients": ["+32470000001"], "message": "Hi"})
    assert err.value.translation_key == "send_failed"
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_send_message_channel_not_supported(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A provider without WhatsApp refuses the WhatsApp channel before sending."""
    client = loaded_entry.runtime_data.client
    client.capabilities = frozenset({Capability.SEND_SMS})
    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass,
            "send_message",
            {"recipients": ["+32470000001"], "message": "Hi", "channel": "whatsapp"},
        )
    assert str(err.value) == (
        "The account SMSMobileAPI cannot send messages with the whatsapp channel"
    )
    assert seeded.requests_to("/sendsms/") == []


async def test_actions_exist_without_entries(hass: HomeAssistant, seeded: Simulator) -> None:
    """The actions are registered when the integration loads, before any entry."""
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    assert await async_setup_component(hass, DOMAIN, {})
    services = hass.services.async_services_for_domain(DOMAIN)
    assert sorted(services) == [
        "delete_messages",
        "get_calls",
        "get_conversations",
        "get_received_messages",
        "get_sent_messages",
        "mark_as_read",
        "remove_phone",
        "rename_phone",
        "resend_message",
        "send_message",
        "set_alias",
    ]
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "get_calls", {"call_type": "missed"}, response=True)
    assert str(err.value) == "No SMSMobileAPI account is loaded"


# --- management actions ----------------------------------------------------------------------


async def test_resend_message(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A message in error is queued again; one that is not in error cannot be."""
    failed = seeded.state.add_sent_sms(
        seeded.account, recipients="+32470000001", message="Lost", status="error"
    )
    await _call(hass, "resend_message", {"guid": failed.guid})
    assert seeded.requests_to("/resend/") == [{"guid": failed.guid, **SENT_FIELDS}]
    assert failed.status == "queued"
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "resend_message", {"guid": failed.guid})
    assert err.value.translation_key == "resend_failed"
    assert str(err.value) == (
        f"Could not resend the message {failed.guid}: /resend/ failed with error not_in_error: "
        "Only messages in error status can be resent"
    )


async def test_mark_as_read(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Each message is marked read on the service and no longer counted as unread."""
    guids = [sms.guid for sms in seeded.account.received[:2]]
    await _call(hass, "mark_as_read", {"guid": guids})
    assert sorted(seeded.requests_to("/getsms/set-read/"), key=str) == sorted(
        ({"guid_message": guid, **SENT_FIELDS} for guid in guids), key=str
    )
    assert [sms.read for sms in seeded.account.received] == [True, True, False]
    assert loaded_entry.runtime_data.coordinator._unread == {seeded.account.received[2].guid}


async def test_mark_as_read_partial_failure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """An unknown message is reported; the others are still marked."""
    good = seeded.account.received[0].guid
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "mark_as_read", {"guid": [good, "UNKNOWN"]})
    assert str(err.value) == (
        f"Could not mark every message as read. Marked as read: {good}. Failed: UNKNOWN "
        "(/getsms/set-read/ failed with error not_found: No received SMS has this GUID)"
    )
    assert seeded.account.received[0].read


async def test_set_alias(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """An alias is set, and an empty one clears it."""
    sms = seeded.account.received[0]
    await _call(hass, "set_alias", {"guid": sms.guid, "alias": "Alex"})
    assert sms.alias == "Alex"
    await _call(hass, "set_alias", {"guid": sms.guid})
    assert sms.alias is None
    assert seeded.requests_to("/getsms/update/") == [
        {"guid": sms.guid, "alias": "Alex", **SENT_FIELDS},
        {"guid": sms.guid, "alias": "", **SENT_FIELDS},
    ]
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "set_alias", {"guid": "UNKNOWN", "alias": "X"})
    assert err.value.translation_key == "set_alias_failed"


async def test_delete_messages(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """One message by id, or the messages of a period."""
    first = seeded.account.received[0]
    await _call(hass, "delete_messages", {"guid": first.guid})
    assert first not in seeded.account.received
    assert first.guid not in loaded_entry.runtime_data.coordinator._unread
    await _call(hass, "delete_messages", {"date_start": "2026-09-23", "date_end": "2026-09-24"})
    assert seeded.account.received == []
    assert seeded.requests_to("/deletesms/") == [
        {"guid_message": first.guid, **SENT_FIELDS},
        {"date_start": "2026-09-23", "date_end": "2026-09-24", **SENT_FIELDS},
    ]


@pytest.mark.parametrize(
    ("data", "translation_key"),
    [
        ({}, "delete_needs_target"),
        ({"date_end": "2026-09-23"}, "delete_needs_target"),
        ({"guid": "G", "date_start": "2026-09-23"}, "delete_guid_or_dates"),
        ({"date_start": "2026-09-23", "date_end": "2026-09-22"}, "invalid_date_range"),
    ],
    ids=["nothing", "end_only", "guid_and_dates", "end_before_start"],
)
async def test_delete_messages_refused(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    data: dict[str, Any],
    translation_key: str,
) -> None:
    """Deleting needs one message or a period, never both, never a period backwards."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "delete_messages", data)
    assert err.value.translation_key == translation_key
    assert seeded.requests_to("/deletesms/") == []
    assert len(seeded.account.received) == 3


async def test_delete_messages_failure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A failure of the service is translated and names the service's error."""
    seeded.state.faults.add(Fault(kind="html", path="/deletesms/"))
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "delete_messages", {"guid": seeded.account.received[0].guid})
    assert str(err.value) == (
        "Could not delete the messages: Unreadable answer from /deletesms/ (HTTP 502)"
    )


async def test_rename_phone(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The phone is renamed on the service and its device at once, and stays renamed."""
    kitchen = _phone_device(hass, "phone-kitchen")
    await _call(hass, "rename_phone", {"phone": kitchen.id, "label": "Hall phone"})
    assert seeded.requests_to("/gateway/mobile/update/") == [
        {"sid": "phone-kitchen", "label": "Hall phone", **SENT_FIELDS}
    ]
    assert seeded.account.phones["phone-kitchen"].label == "Hall phone"
    assert _phone_device(hass, "phone-kitchen").name == "Hall phone"
    # The next polls (phones are read less often than SMS) keep the new name.
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert _phone_device(hass, "phone-kitchen").name == "Hall phone"
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    assert _phone_device(hass, "phone-kitchen").name == "Hall phone"


async def test_rename_phone_failure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A refused rename leaves the device's name alone."""
    seeded.state.faults.add(Fault(kind="status", path="/gateway/mobile/update/", status=500))
    kitchen = _phone_device(hass, "phone-kitchen")
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "rename_phone", {"phone": kitchen.id, "label": "Hall"})
    assert err.value.translation_key == "rename_phone_failed"
    assert _phone_device(hass, "phone-kitchen").name == "Kitchen phone"


async def test_remove_phone(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """The phone leaves the account, and its device and entities leave Home Assistant."""
    office = _phone_device(hass, "phone-office")
    await _call(hass, "remove_phone", {"phone": office.id})
    assert seeded.requests_to("/gateway/mobile/delete/") == [{"sid": "phone-office", **SENT_FIELDS}]
    assert "phone-office" not in seeded.account.phones
    assert dr.async_get(hass).async_get(office.id) is None
    await hass.async_block_till_done()
    assert hass.states.get("sensor.office_phone_battery") is None
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "remove_phone", {"phone": "phone-office"})
    assert err.value.translation_key == "unknown_phone"


async def test_remove_phone_of_other_integration(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A device of another integration is not a phone of the account."""
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "x")}
    )
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "remove_phone", {"phone": device.id})
    assert err.value.translation_key == "unknown_phone"
    assert seeded.requests_to("/gateway/mobile/delete/") == []


@pytest.mark.parametrize(
    ("fault", "translation_key", "message"),
    [
        (
            Fault(kind="invalid_key", path="/resend/"),
            "invalid_auth",
            "SMSMobileAPI rejected the credentials. Sign in again from the integration page",
        ),
        (
            Fault(kind="expired", path="/resend/"),
            "subscription_expired",
            "The SMSMobileAPI subscription has expired. Renew it in the dashboard",
        ),
        (
            Fault(kind="rate_limit", path="/resend/"),
            "action_rate_limited",
            "SMSMobileAPI asked Home Assistant to slow down. Try again in a moment",
        ),
    ],
    ids=["invalid_key", "expired", "rate_limited"],
)
async def test_account_errors_are_translated(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    fault: Fault,
    translation_key: str,
    message: str,
) -> None:
    """Account-wide failures of any action have one translated message each."""
    seeded.state.faults.add(fault)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "resend_message", {"guid": "G"})
    assert err.value.translation_key == translation_key
    assert str(err.value) == message
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert bool(flows) is (translation_key == "invalid_auth")


async def test_mark_as_read_account_error(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A rejected key while marking messages is the credentials error, with a reauth."""
    seeded.state.faults.add(Fault(kind="invalid_key", path="/getsms/set-read/", times=None))
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "mark_as_read", {"guid": ["A", "B"]})
    assert err.value.translation_key == "invalid_auth"


async def test_actions_need_the_smsmobileapi_client(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Another provider without these endpoints refuses the management actions clearly."""

    class OtherProvider:
        capabilities = frozenset(Capability)

    loaded_entry.runtime_data.client = OtherProvider()
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "resend_message", {"guid": "G"})
    assert str(err.value) == "The account SMSMobileAPI does not support this action"


# --- query actions -----------------------------------------------------------------------------


async def test_get_conversations(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Conversations merge received and sent messages per number, typed."""
    await _call(hass, "send_message", {"recipients": ["+32470000001"], "message": "On my way"})
    response = await _call(hass, "get_conversations", {}, response=True)
    assert _device_names(hass, response) == snapshot
    assert seeded.requests_to("/conversation/sms/list/")[-1] == {
        "origineConversation": "received",
        "sort": "DESC",
        **SENT_FIELDS,
    }
    assert API_KEY not in json.dumps(response)


async def test_get_conversations_filtered(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Every filter reaches the service in its documented form."""
    hass.config.country = "BE"
    response = await _call(
        hass,
        "get_conversations",
        {
            "origin": "sent",
            "number": "0470 00 00 01",
            "date_from": "2026-09-23T10:00:00+00:00",
            "date_to": "2026-09-23T13:00:00+00:00",
            "limit": 5,
            "summary": True,
        },
        response=True,
    )
    assert response == {"conversations": []}
    assert seeded.requests_to("/conversation/sms/list/") == [
        {
            "origineConversation": "sent",
            "numero": "+32470000001",
            "date_from": "2026-09-23 10:00:00",
            "date_to": "2026-09-23 13:00:00",
            "sort": "DESC",
            "limit": "5",
            "resume": "1",
            "resume_line_how": "1",
            **SENT_FIELDS,
        }
    ]


async def test_get_conversations_summary_lines(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """summary_lines alone asks for a summary; summary off wins over it."""
    first = await _call(hass, "get_conversations", {"summary_lines": 1}, response=True)
    await _call(hass, "get_conversations", {"summary": False, "summary_lines": 3}, response=True)
    requests = seeded.requests_to("/conversation/sms/list/")
    assert (requests[0]["resume"], requests[0]["resume_line_how"]) == ("1", "1")
    assert "resume" not in requests[1]
    conversation = next(c for c in first["conversations"] if c["number"] == "+32470000001")
    assert [message["message"] for message in conversation["messages"]] == ["See you"]


async def test_get_conversations_backwards(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A period that ends before it starts is refused before any request."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass,
            "get_conversations",
            {"date_from": "2026-09-23T10:00:00+00:00", "date_to": "2026-09-22T10:00:00+00:00"},
            response=True,
        )
    assert err.value.translation_key == "invalid_date_range"
    assert seeded.requests_to("/conversation/sms/list/") == []


async def test_get_calls(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Each call log, typed, with the API key (which the call lists echo) left out."""
    responses = {
        call_type: await _call(hass, "get_calls", {"call_type": call_type}, response=True)
        for call_type in ("missed", "incoming", "outgoing")
    }
    assert responses == snapshot
    assert API_KEY not in json.dumps(responses)


async def test_get_calls_filters(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Filters reach each log in its own form; the period is exact for missed calls too."""
    seeded.state.add_call(seeded.account, "missed", "+32470000008", at=NOW - timedelta(hours=3))
    period = {"date_from": "2026-09-23T10:00:00+00:00", "date_to": "2026-09-23T12:00:00+00:00"}
    missed = await _call(
        hass,
        "get_calls",
        {"call_type": "missed", "search": "+3247", "limit": 500, "offset": 0, **period},
        response=True,
    )
    assert [call["number"] for call in missed["calls"]] == ["+32470000003"]
    outgoing = await _call(
        hass,
        "get_calls",
        {
            "call_type": "outgoing",
            "limit": 200,
            "offset": 1,
            "sort_by": "duration_sec",
            "sort_dir": "asc",
            "search": "Sam",
            **period,
        },
        response=True,
    )
    assert outgoing == {"calls": []}
    assert seeded.requests_to("/call/missed/list/")[-1] == {
        "limit": "500",
        "search": "+3247",
        "date_start": "2026-09-23",
        "date_end": "2026-09-23",
        **SENT_FIELDS,
    }
    assert seeded.requests_to("/call/outgoing/list/")[-1] == {
        "limit": "200",
        "offset": "1",
        "sort_by": "duration_sec",
        "sort_dir": "asc",
        "date_from_ms": str(int((NOW - timedelta(hours=2)).timestamp() * 1000)),
        "date_to_ms": str(int(NOW.timestamp() * 1000)),
        "q": "Sam",
        **SENT_FIELDS,
    }


@pytest.mark.parametrize(
    "data",
    [
        {"call_type": "missed", "limit": 501},
        {"call_type": "incoming", "limit": 201},
        {"call_type": "outgoing", "limit": 0},
        {"call_type": "missed", "sort_by": "duration_sec"},
        {"call_type": "missed", "sort_dir": "asc"},
        {"call_type": "incoming", "sort_by": "password"},
        {"call_type": "voicemail"},
        {"call_type": "missed", "offset": -1},
    ],
    ids=[
        "missed_over_500",
        "incoming_over_200",
        "zero",
        "missed_sort_by",
        "missed_sort_dir",
        "unknown_sort_field",
        "unknown_log",
        "negative_offset",
    ],
)
async def test_get_calls_limits_in_schema(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator, data: dict[str, Any]
) -> None:
    """The documented limits are checked by the schema, before any request."""
    before = len(seeded.state.requests)
    with pytest.raises(vol.Invalid):
        await _call(hass, "get_calls", data, response=True)
    assert len(seeded.state.requests) == before


async def test_get_calls_failure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A failed read is translated."""
    seeded.state.faults.add(Fault(kind="malformed", path="/call/incoming/list/"))
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "get_calls", {"call_type": "incoming"}, response=True)
    assert err.value.translation_key == "get_calls_failed"


async def test_get_sent_messages(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """The sent log, typed and newest first; errors only asks for both kinds of error."""
    state, account = seeded.state, seeded.account
    state.add_sent_sms(
        account,
        recipients="+32470000001",
        message="Old",
        created_at=NOW - timedelta(hours=2),
        sid="phone-kitchen",
        fields={"port": "1"},
    )
    state.add_sent_sms(
        account,
        recipients="+32470000002",
        message="Lost on the phone",
        status="error",
        created_at=NOW - timedelta(hours=1),
        sid="phone-office",
        fields={"sendwa": "1"},
    )
    state.add_sent_sms(
        account,
        recipients="+32470000003",
        message="Refused",
        status="error",
        error_source="api",
        created_at=NOW - timedelta(minutes=30),
    )
    everything = await _call(hass, "get_sent_messages", {}, response=True)
    errors = await _call(hass, "get_sent_messages", {"errors_only": True}, response=True)
    by_keyword = await _call(
        hass, "get_sent_messages", {"keyword": "old", "guid": state.sent[0].guid}, response=True
    )
    assert _device_names(hass, everything) == snapshot
    assert [row["message"] for row in errors["messages"]] == ["Refused", "Lost on the phone"]
    assert [row["message"] for row in by_keyword["messages"]] == ["Old"]
    requests = seeded.requests_to("/log/sent/sms/")
    assert requests[0] == SENT_FIELDS
    assert sorted(requests[1:3], key=str) == [
        {"error_api": "1", **SENT_FIELDS},
        {"error_mobile": "1", **SENT_FIELDS},
    ]
    assert requests[3] == {"guid_message": state.sent[0].guid, "keyword": "old", **SENT_FIELDS}
    assert API_KEY not in json.dumps([everything, errors])


async def test_get_received_messages(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Received SMS newest first; filtered by sender, read state and time."""
    hass.config.country = "BE"
    seeded.state.add_received_sms(seeded.account, number="BANK", message="Code 1234")
    everything = await _call(hass, "get_received_messages", {}, response=True)
    from_one = await _call(
        hass, "get_received_messages", {"number": "0470 00 00 01"}, response=True
    )
    from_bank = await _call(hass, "get_received_messages", {"number": "bank"}, response=True)
    recent_unread = await _call(
        hass,
        "get_received_messages",
        {"unread_only": True, "since": (NOW - timedelta(minutes=20)).isoformat()},
        response=True,
    )
    assert _device_names(hass, everything) == snapshot
    assert [sms["message"] for sms in from_one["messages"]] == ["See you", "Dinner at 8?"]
    assert [sms["message"] for sms in from_bank["messages"]] == ["Code 1234"]
    assert [sms["message"] for sms in recent_unread["messages"]] == ["Code 1234", "See you"]
    assert seeded.requests_to("/getsms/")[-1] == {
        "after_timestamp_unix": str(int((NOW - timedelta(minutes=20)).timestamp())),
        "onlyunread": "yes",
        **SENT_FIELDS,
    }


async def test_get_received_messages_failure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A failed read is translated and carries no credential."""
    seeded.state.faults.add(Fault(kind="status", path="/getsms/", status=500))
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "get_received_messages", {}, response=True)
    assert str(err.value) == (
        "Could not read the received messages: /getsms/ failed with error server_error: "
        "Simulated failure"
    )


async def test_queries_with_unloaded_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Every query refuses an unloaded entry."""
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    for service, data in (
        ("get_conversations", {}),
        ("get_calls", {"call_type": "missed"}),
        ("get_sent_messages", {}),
        ("get_received_messages", {}),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await _call(
                hass,
                service,
                {"config_entry_id": loaded_entry.entry_id, **data},
                response=True,
            )
        assert err.value.translation_key == "config_entry_not_loaded"


async def test_no_secret_in_any_response(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The key appears in no response of any action (and, checked by a fixture, no log)."""
    seeded.state.add_sent_sms(seeded.account, recipients="+32470000001", message="x")
    responses = [
        await _call(
            hass, "send_message", {"recipients": "+32470000001", "message": "a"}, response=True
        ),
        await _call(hass, "get_conversations", {"origin": "sent"}, response=True),
        await _call(hass, "get_calls", {"call_type": "incoming"}, response=True),
        await _call(hass, "get_sent_messages", {}, response=True),
        await _call(hass, "get_received_messages", {}, response=True),
    ]
    assert all(responses)
    assert API_KEY not in json.dumps(responses)
    assert API_KEY in {request["apikey"] for request in seeded.requests_to("/log/sent/sms/")}
