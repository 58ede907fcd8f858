"""``send_message`` end to end against the simulator: what is sent, what comes back, errors."""

import asyncio
from datetime import timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsmobileapi.api import Capability, SmsMobileApiClient
from custom_components.smsmobileapi.const import (
    DOMAIN,
    MAX_PARALLEL_REQUESTS,
    SLOW_SCAN_INTERVAL,
)
from smsmobileapi_simulator import Fault
from tests.conftest import API_KEY, NOW, Simulator
from tests.helpers import tick

from .helpers import SENT_FIELDS, call, phone_device, with_running_clock


async def test_send_message(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """One SMS: the simulator gets exactly these fields, the response its message id."""
    response = await call(
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
    assert await call(hass, "send_message", {"recipients": "+32470000001", "message": "Hi"}) is None
    assert [sent.recipients for sent in seeded.state.sent] == ["+32470000001"]


async def test_send_message_with_every_option(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """WhatsApp from a chosen phone and SIM, scheduled, shortened, encrypted, with media."""
    kitchen = phone_device(hass, "phone-kitchen")
    schedule = NOW + timedelta(hours=2)
    response = await call(
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
    await call(
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
    await call(
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
    await call(hass, "send_message", {"recipients": ["+32470000001"], "message": "A"})
    await call(
        hass,
        "send_message",
        {"recipients": ["+32470000001"], "message": "B", "channel": "sms", "sim": 1},
    )
    hass.config_entries.async_update_entry(
        loaded_entry, options={"default_channel": "pigeon", "default_sim": "automatic"}
    )
    await call(hass, "send_message", {"recipients": ["+32470000001"], "message": "C"})
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
    response = await call(
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
    freezer: FrozenDateTimeFactory,
) -> None:
    """50 recipients go out a few at a time: never more than the bound, not one by one."""
    seeded.state.latency = 0.05
    numbers = [f"+324700000{index:02d}" for index in range(50)]
    response = await with_running_clock(
        freezer,
        call(hass, "send_message", {"recipients": numbers, "message": "Storm"}, response=True),
    )
    assert seeded.state.stats["/sendsms/"].max_in_flight == MAX_PARALLEL_REQUESTS
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
            "No SMSMobileAPI or CALLR account has the config entry ID nope",
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
        await call(hass, "send_message", {"recipients": ["+32470000001"], "message": "Hi", **data})
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
    office = phone_device(hass, "phone-office")
    seeded.state.delete_phone(seeded.account, "phone-office")
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    for phone in (office.id, "phone-office"):
        with pytest.raises(ServiceValidationError) as err:
            await call(
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
    await call(
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
        await call(hass, "send_message", {**data, "config_entry_id": loaded_entry.entry_id})
    assert err.value.translation_key == "config_entry_not_loaded"
    assert str(err.value) == (
        "The account SMSMobileAPI is not loaded. Check it on the integration page"
    )
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "send_message", data)
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
        await call(hass, "send_message", data)
    assert err.value.translation_key == "config_entry_required"
    await call(hass, "send_message", {**data, "config_entry_id": second_entry.entry_id})
    await call(hass, "send_message", {**data, "phone": phone_device(hass, "phone-kitchen").id})
    assert [request["apikey"] for request in seeded.requests_to("/sendsms/")] == [
        "second-account-key",
        API_KEY,
    ]


async def test_send_message_partial_failure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """One recipient fails: the error says who got it (with the guids) and who did not."""
    seeded.state.faults.add(Fault(kind="status", path="/sendsms/", times=1))
    numbers = ["+32470000001", "+32470000002", "+32470000003"]
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "send_message", {"recipients": numbers, "message": "Hi"})
    guids = {sent.recipients: sent.guid for sent in seeded.state.sent}
    sent = [number for number in numbers if number in guids]
    [failed] = [number for number in numbers if number not in sent]
    assert len(sent) == 2
    assert err.value.translation_key == "send_failed"
    assert str(err.value) == (
        "The message did not reach every recipient. Sent: "
        f"{', '.join(f'{number} ({guids[number]})' for number in sent)}. Not sent: "
        f"{failed} (/sendsms/ failed with error server_error: Simulated failure). No answer in "
        "time, so it may still be sent (check the sent messages before sending again): -"
    )
    assert len(seeded.requests_to("/sendsms/")) == 3
    assert API_KEY not in str(err.value)


async def test_send_message_partial_failure_in_response(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Asked for a response, a partial failure lists every recipient's outcome instead."""
    seeded.state.faults.add(Fault(kind="status", path="/sendsms/", times=1))
    numbers = ["+32470000001", "+32470000002", "+32470000003"]
    response = await call(
        hass, "send_message", {"recipients": numbers, "message": "Hi"}, response=True
    )
    guids = {sent.recipients: sent.guid for sent in seeded.state.sent}
    [failed] = [number for number in numbers if number not in guids]
    assert response == {
        "messages": [
            {
                "recipient": failed,
                "guid": None,
                "status": "failed",
                "error": "/sendsms/ failed with error server_error: Simulated failure",
            }
            if number == failed
            else {"recipient": number, "guid": guids[number], "status": "queued"}
            for number in numbers
        ]
    }
    # Sending again to the failed one only reaches it alone.
    await call(hass, "send_message", {"recipients": [failed], "message": "Hi"})
    assert [sent.recipients for sent in seeded.state.sent].count(failed) == 1


async def test_send_message_total_failure_raises_even_with_response(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Nothing sent at all is an error, response or not."""
    seeded.state.faults.add(Fault(kind="status", path="/sendsms/", times=None))
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass, "send_message", {"recipients": ["+32470000001"], "message": "Hi"}, response=True
        )
    assert err.value.translation_key == "send_failed"


async def test_send_message_timeout_is_not_retried(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No answer in time: the message may have gone out, so it is reported, never resent."""
    client = loaded_entry.runtime_data.client
    assert isinstance(client, SmsMobileApiClient)
    client.request_timeout = 0.1
    seeded.state.faults.add(Fault(kind="timeout", path="/sendsms/", delay=0.2))
    with pytest.raises(HomeAssistantError) as err:
        await with_running_clock(
            freezer,
            call(hass, "send_message", {"recipients": ["+32470000001"], "message": "Hi"}),
        )
    # Let the simulator finish its late answer (nobody reads it).
    await with_running_clock(freezer, asyncio.sleep(0.2))
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
        await call(hass, "send_message", {"recipients": ["+32470000001"], "message": "Hi"})
    assert err.value.translation_placeholders["unknown"] == "+32470000001"
    assert len(seeded.requests_to("/sendsms/")) == 1


async def test_send_message_unreachable_is_not_sent(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A service that cannot be reached at all sent nothing."""
    await seeded.server.stop()
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "send_message", {"recipients": ["+32470000001"], "message": "Hi"})
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
        await call(hass, "send_message", {"recipients": numbers, "message": "Hi"})
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
        await call(hass, "send_message", {"recipients": ["+32470000001"], "message": "Hi"})
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
        await call(
            hass,
            "send_message",
            {"recipients": ["+32470000001"], "message": "Hi", "channel": "whatsapp"},
        )
    assert str(err.value) == (
        "The account SMSMobileAPI cannot send messages with the whatsapp channel"
    )
    assert seeded.requests_to("/sendsms/") == []


async def test_send_message_bounded_input(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """More than 100 recipients, or a text longer than the provider takes: refused at once."""
    numbers = [f"+32470{index:06d}" for index in range(101)]
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "send_message", {"recipients": numbers, "message": "Hi"})
    assert err.value.translation_key == "too_many_recipients"
    assert err.value.translation_placeholders == {"count": "101", "maximum": "100"}
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "send_message", {"recipients": ["+32470000001"], "message": "x" * 1601})
    assert err.value.translation_key == "message_too_long"
    assert err.value.translation_placeholders == {"length": "1601", "maximum": "1600"}
    assert seeded.requests_to("/sendsms/") == []
    await call(hass, "send_message", {"recipients": numbers[:100], "message": "x" * 1600})
    assert len(seeded.requests_to("/sendsms/")) == 100
