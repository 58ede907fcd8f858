"""Conversations: ``get_conversations`` parameters, summaries and parsing."""

from datetime import UTC, date, datetime, timedelta, timezone
import json
from typing import Any

import pytest

from custom_components.smsmobileapi.api import (
    Conversation,
    ConversationMessage,
    ConversationOrigin,
    SmsGatewayInvalidResponseError,
    SmsGatewayResponseError,
    SmsMobileApiClient,
)
from smsmobileapi_simulator import Fault

from .conftest import API_KEY, NOW, Sim, fixture_text

BASE_FIELDS = {"from": "homeassistant", "apikey": API_KEY}


@pytest.fixture
def lines(sim: Sim) -> dict[str, ConversationMessage]:
    """Two SMS from +32470000041 and our answer; one SMS sent to +32470000042.

    The answer's ``timearea_of_message`` is UTC+02: the service shows it two hours later,
    but its UTC time is what the client reads.
    """
    state, account = sim.state, sim.account
    hello = state.add_received_sms(
        account,
        "+32470000041",
        "Hello",
        received_at=NOW - timedelta(minutes=50),
        sid="phone-a",
        alias="Alice",
    )
    thanks = state.add_received_sms(
        account, "+32470000041", "Thanks", received_at=NOW - timedelta(minutes=30), sid="phone-a"
    )
    answer = state.add_sent_sms(
        account,
        recipients="+32470000041",
        message="You are welcome",
        created_at=NOW - timedelta(minutes=20),
        sid="phone-a",
        timearea="UTC+02",
    )
    parcel = state.add_sent_sms(
        account,
        recipients="+32470000042",
        message="Parcel",
        created_at=NOW - timedelta(minutes=15),
        sid="phone-b",
    )

    def incoming(guid: str, text: str, minutes: int) -> ConversationMessage:
        return ConversationMessage(
            direction="incoming",
            message=text,
            sent_at=NOW - timedelta(minutes=minutes),
            message_id=guid,
            status="received",
            phone_id="phone-a",
        )

    def outgoing(guid: str, text: str, minutes: int, sid: str) -> ConversationMessage:
        return ConversationMessage(
            direction="outgoing",
            message=text,
            sent_at=NOW - timedelta(minutes=minutes),
            message_id=guid,
            status="sent",
            phone_id=sid,
        )

    return {
        "hello": incoming(hello.guid, "Hello", 50),
        "thanks": incoming(thanks.guid, "Thanks", 30),
        "answer": outgoing(answer.guid, "You are welcome", 20, "phone-a"),
        "parcel": outgoing(parcel.guid, "Parcel", 15, "phone-b"),
    }


async def test_conversations_from_received(
    client: SmsMobileApiClient, sim: Sim, lines: dict[str, ConversationMessage]
) -> None:
    """Only numbers that wrote to us; messages merged in the service's order, times in UTC."""
    conversations = await client.get_conversations(ConversationOrigin.RECEIVED)

    assert conversations == (
        Conversation(
            number="+32470000041",
            alias="Alice",
            messages=(lines["hello"], lines["thanks"], lines["answer"]),
        ),
    )
    [request] = sim.requests_to("/conversation/sms/list/")
    assert request.method == "GET"
    assert request.query == {"origineConversation": "received", "sort": "DESC", **BASE_FIELDS}


async def test_conversations_from_sent_oldest_first(
    client: SmsMobileApiClient, sim: Sim, lines: dict[str, ConversationMessage]
) -> None:
    """``origin=SENT`` lists numbers we wrote to; ``newest_first=False`` sends sort=ASC."""
    conversations = await client.get_conversations(ConversationOrigin.SENT, newest_first=False)

    assert [conversation.number for conversation in conversations] == [
        "+32470000042",
        "+32470000041",
    ]
    assert conversations[0] == Conversation(
        number="+32470000042", alias=None, messages=(lines["parcel"],)
    )
    assert sim.only_fields("/conversation/sms/list/") == {
        "origineConversation": "sent",
        "sort": "ASC",
        **BASE_FIELDS,
    }


async def test_conversation_summary(
    client: SmsMobileApiClient, sim: Sim, lines: dict[str, ConversationMessage]
) -> None:
    """``summary_lines`` sends resume=1 and resume_line_how: only the latest lines come back."""
    summary = await client.get_conversations(
        ConversationOrigin.RECEIVED, number="+32470000041", summary_lines=2, limit=5
    )

    assert summary == (
        Conversation(
            number="+32470000041", alias="Alice", messages=(lines["thanks"], lines["answer"])
        ),
    )
    assert sim.only_fields("/conversation/sms/list/") == {
        "origineConversation": "received",
        "numero": "+32470000041",
        "sort": "DESC",
        "limit": "5",
        "resume": "1",
        "resume_line_how": "2",
        **BASE_FIELDS,
    }


async def test_conversation_dates(
    client: SmsMobileApiClient, sim: Sim, lines: dict[str, ConversationMessage]
) -> None:
    """A day goes out as YYYY-MM-DD; a datetime as UTC ``YYYY-MM-DD HH:MM:SS``."""
    conversations = await client.get_conversations(
        ConversationOrigin.RECEIVED,
        date_from=date(2026, 9, 23),
        date_to=datetime(2026, 9, 23, 13, 20, tzinfo=timezone(timedelta(hours=2))),
    )

    fields = sim.only_fields("/conversation/sms/list/")
    assert fields["date_from"] == "2026-09-23"
    assert fields["date_to"] == "2026-09-23 11:20:00"
    assert conversations == (
        Conversation(number="+32470000041", alias="Alice", messages=(lines["hello"],)),
    )


async def test_conversations_documented_example(client: SmsMobileApiClient, sim: Sim) -> None:
    """The documented response parses to exact values."""
    sim.state.faults.add(
        Fault(
            "status",
            path="/conversation/sms/list/",
            status=200,
            body=fixture_text("docs_conversations.json"),
        )
    )

    assert await client.get_conversations(ConversationOrigin.RECEIVED) == (
        Conversation(
            number="+10470000001",
            alias="John Doe",
            messages=(
                ConversationMessage(
                    direction="incoming",
                    message="Hello, I would like more information.",
                    sent_at=datetime(2026, 3, 13, 8, 45, 12, tzinfo=UTC),
                    message_id="msg_1001",
                    status="received",
                    phone_id="device_sid_1",
                ),
                ConversationMessage(
                    direction="outgoing",
                    message="Of course, what would you like to know?",
                    sent_at=datetime(2026, 3, 13, 8, 46, 3, tzinfo=UTC),
                    message_id="msg_1002",
                    status="sent",
                    phone_id="device_sid_2",
                ),
            ),
        ),
    )


@pytest.mark.parametrize(
    ("conversation", "expected"),
    [
        (
            {"numero": "+1", "messages": [{"date": "2026-09-23 10:00:00"}]},
            Conversation(
                number="+1",
                messages=(
                    ConversationMessage(
                        direction="incoming",
                        message="",
                        sent_at=datetime(2026, 9, 23, 10, tzinfo=UTC),
                    ),
                ),
            ),
        ),
        ({"phone_number": "+2", "messages": []}, Conversation(number="+2")),
    ],
)
async def test_conversation_lenient_fields(
    client: SmsMobileApiClient, sim: Sim, conversation: dict[str, Any], expected: Conversation
) -> None:
    """``numero`` stands for ``phone_number``; ``date`` for ``timestamp_utc``; defaults apply."""
    body = json.dumps({"success": True, "conversations": [conversation]})
    sim.state.faults.add(Fault("status", path="/conversation/sms/list/", status=200, body=body))

    assert await client.get_conversations(ConversationOrigin.RECEIVED) == (expected,)


async def test_conversation_without_number(client: SmsMobileApiClient, sim: Sim) -> None:
    """A conversation without a number raises, naming the field."""
    body = json.dumps({"success": True, "conversations": [{"messages": []}]})
    sim.state.faults.add(Fault("status", path="/conversation/sms/list/", status=200, body=body))

    with pytest.raises(
        SmsGatewayInvalidResponseError, match=r"^missing field 'phone_number' in conversation$"
    ):
        await client.get_conversations(ConversationOrigin.RECEIVED)


async def test_conversation_invalid_parameter(client: SmsMobileApiClient, sim: Sim) -> None:
    """The service's refusal (``success: false``, free text) is a ResponseError."""
    with pytest.raises(SmsGatewayResponseError) as caught:
        await client.get_conversations(ConversationOrigin.RECEIVED, limit=0)

    assert type(caught.value) is SmsGatewayResponseError
    assert caught.value.code == "limit and resume_line_how must be positive integers"
    assert caught.value.status == 400
