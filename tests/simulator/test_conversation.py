"""``/conversation/sms/list/``."""

from datetime import timedelta

import pytest

from smsmobileapi_simulator import Account, SimulatorState

from .helpers import NOW, Api

ALICE = "+32470000001"
BOB = "+32470000002"
CAROL = "+32470000003"


@pytest.fixture
def history(state: SimulatorState, account: Account) -> None:
    """Alice wrote twice and got a reply; Bob only got a message; Carol wrote last."""
    state.add_received_sms(account, ALICE, "Hello", received_at=NOW - timedelta(hours=5))
    state.add_received_sms(
        account, ALICE, "Still there?", received_at=NOW - timedelta(hours=3), alias="Alice"
    )
    state.add_sent_sms(
        account,
        recipients=ALICE,
        message="Yes!",
        created_at=NOW - timedelta(hours=4),
        sid="phone-1",
        timearea="UTC+02",
    )
    state.add_sent_sms(
        account, recipients=f"{BOB}, ", message="Ping", created_at=NOW - timedelta(days=2)
    )
    state.add_received_sms(account, CAROL, "Hi", received_at=NOW - timedelta(hours=1))


async def _list(api: Api, **params: str) -> dict[str, object]:
    answer = await api.get("/conversation/sms/list/", **params)
    assert answer.status == 200
    body: dict[str, object] = answer.json
    return body


def _numbers(body: dict[str, object]) -> list[str]:
    conversations = body["conversations"]
    assert isinstance(conversations, list)
    return [conversation["phone_number"] for conversation in conversations]


async def test_received_origin_merges_timeline(api: Api, history: None) -> None:
    """Conversations start from received SMS; outgoing lines show (and sort by) local dates."""
    body = await _list(api, origineConversation="received")
    assert body["success"] is True
    assert (body["origineConversation"], body["resume"], body["resume_line_how"]) == (
        "received",
        0,
        None,
    )
    assert _numbers(body) == [CAROL, ALICE]
    alice = body["conversations"][1]  # type: ignore[index]
    assert alice["contact_alias"] == "Alice"
    # The reply went out at 08:00 UTC but its UTC+02 date (10:00) orders it after 09:00.
    assert [line["direction"] for line in alice["messages"]] == ["incoming", "incoming", "outgoing"]
    reply = alice["messages"][2]
    assert reply["date"] == "2026-09-23 10:00:00"
    assert reply["timestamp_utc"] == "2026-09-23T08:00:00Z"
    assert (reply["status"], reply["mobile_sid"], reply["message"]) == ("sent", "phone-1", "Yes!")
    first = alice["messages"][0]
    assert (first["status"], first["date"], first["mobile_sid"]) == (
        "received",
        "2026-09-23 07:00:00",
        "phone-1",
    )


async def test_sent_origin_and_options(api: Api, history: None) -> None:
    """Sent origin, sort, limit, numero, dates and resume mode."""
    assert _numbers(await _list(api, origineConversation="sent")) == [ALICE, BOB]
    assert _numbers(await _list(api, origineConversation="sent", sort="ASC")) == [BOB, ALICE]
    assert _numbers(await _list(api, origineConversation="received", limit="1")) == [CAROL]
    body = await _list(api, origineConversation="received", numero=ALICE)
    assert _numbers(body) == [ALICE]
    assert _numbers(await _list(api, origineConversation="received", numero=BOB)) == []
    dated = await _list(
        api, origineConversation="received", date_from="2026-09-23 08:30:00", date_to="2026-09-23"
    )
    assert _numbers(dated) == [CAROL, ALICE]
    assert len(dated["conversations"][1]["messages"]) == 1  # type: ignore[index]
    resumed = await _list(api, origineConversation="sent", resume="1", resume_line_how="2")
    assert (resumed["resume"], resumed["resume_line_how"]) == (1, 2)
    lines = resumed["conversations"][0]["messages"]  # type: ignore[index]
    assert [line["message"] for line in lines] == ["Still there?", "Yes!"]
    default_resume = await _list(api, origineConversation="sent", resume="1")
    assert default_resume["resume_line_how"] == 1


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({}, "Missing required parameter: origineConversation"),
        ({"origineConversation": "both"}, "Invalid origineConversation"),
        ({"origineConversation": "sent", "sort": "up"}, "Invalid sort"),
        ({"origineConversation": "sent", "limit": "-1"}, "limit and resume_line_how"),
        ({"origineConversation": "sent", "date_from": "soon"}, "Invalid date_from"),
    ],
)
async def test_validation(api: Api, account: Account, params: dict[str, str], error: str) -> None:
    """Errors use the documented success/error shape."""
    answer = await api.post("/conversation/sms/list", **params)
    assert answer.status == 400
    assert answer.json["success"] is False
    assert answer.json["error"].startswith(error)
