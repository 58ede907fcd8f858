"""Actions that read logs: conversations, calls, sent and received messages."""

from datetime import timedelta
import json
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
import voluptuous as vol

from smsmobileapi_simulator import Fault
from tests.conftest import API_KEY, NOW, Simulator

from .helpers import SENT_FIELDS, call, device_names, phone_device


async def test_get_conversations(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Conversations merge received and sent messages per number, typed."""
    await call(hass, "send_message", {"recipients": ["+32470000001"], "message": "On my way"})
    response = await call(hass, "get_conversations", {}, response=True)
    assert device_names(hass, response) == snapshot
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
    response = await call(
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
    first = await call(hass, "get_conversations", {"summary_lines": 1}, response=True)
    await call(hass, "get_conversations", {"summary": False, "summary_lines": 3}, response=True)
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
        await call(
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
        call_type: await call(hass, "get_calls", {"call_type": call_type}, response=True)
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
    missed = await call(
        hass,
        "get_calls",
        {"call_type": "missed", "search": "+3247", "limit": 500, "offset": 0, **period},
        response=True,
    )
    assert [call["number"] for call in missed["calls"]] == ["+32470000003"]
    outgoing = await call(
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
        await call(hass, "get_calls", data, response=True)
    assert len(seeded.state.requests) == before


async def test_get_calls_failure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A failed read is translated."""
    seeded.state.faults.add(Fault(kind="malformed", path="/call/incoming/list/"))
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "get_calls", {"call_type": "incoming"}, response=True)
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
    everything = await call(hass, "get_sent_messages", {}, response=True)
    errors = await call(hass, "get_sent_messages", {"errors_only": True}, response=True)
    by_keyword = await call(
        hass, "get_sent_messages", {"keyword": "old", "guid": state.sent[0].guid}, response=True
    )
    assert device_names(hass, everything) == snapshot
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


async def test_get_sent_messages_from_phone(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """``from_phone`` lists the SMS sent from the phones themselves, newest first."""
    state, account = seeded.state, seeded.account
    for hours, number, text in ((3, "+32470000021", "On my way"), (1, "+32470000022", "Call me")):
        state.add_sent_from_mobile(
            account,
            sid="phone-kitchen",
            number=number,
            message=text,
            sent_at=NOW - timedelta(hours=hours),
        )
    response = await call(hass, "get_sent_messages", {"from_phone": True}, response=True)
    by_keyword = await call(
        hass, "get_sent_messages", {"from_phone": True, "keyword": "call"}, response=True
    )
    kitchen = phone_device(hass, "phone-kitchen").id
    assert response == {
        "messages": [
            {
                "guid": None,
                "recipients": number,
                "message": text,
                "status": "sent",
                "sent_at": (NOW - timedelta(hours=hours)).isoformat(),
                "device_id": kitchen,
                "sim": None,
                "whatsapp": False,
                "error": None,
            }
            for hours, number, text in (
                (1, "+32470000022", "Call me"),
                (3, "+32470000021", "On my way"),
            )
        ]
    }
    assert [row["message"] for row in by_keyword["messages"]] == ["Call me"]
    assert seeded.requests_to("/log/sent/frommobile/") == [
        SENT_FIELDS,
        {"search": "call", **SENT_FIELDS},
    ]
    assert seeded.requests_to("/log/sent/sms/") == []


@pytest.mark.parametrize("data", [{"guid": "G"}, {"errors_only": True}])
async def test_get_sent_messages_from_phone_filters(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator, data: dict[str, Any]
) -> None:
    """Message ids and error flags do not exist for SMS sent from the phone: refused at once."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "get_sent_messages", {"from_phone": True, **data}, response=True)
    assert err.value.translation_key == "from_phone_filters"
    assert seeded.requests_to("/log/sent/frommobile/") == []


async def test_get_received_messages(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Received SMS newest first; filtered by sender, read state and time."""
    hass.config.country = "BE"
    seeded.state.add_received_sms(seeded.account, number="BANK", message="Code 1234")
    everything = await call(hass, "get_received_messages", {}, response=True)
    from_one = await call(hass, "get_received_messages", {"number": "0470 00 00 01"}, response=True)
    from_bank = await call(hass, "get_received_messages", {"number": "bank"}, response=True)
    recent_unread = await call(
        hass,
        "get_received_messages",
        {"unread_only": True, "since": (NOW - timedelta(minutes=20)).isoformat()},
        response=True,
    )
    assert device_names(hass, everything) == snapshot
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
        await call(hass, "get_received_messages", {}, response=True)
    assert str(err.value) == (
        "Could not read the received messages: /getsms/ failed with error server_error: "
        "Simulated failure"
    )
