"""The sent log: the window, one SMS by hash, client-side filters, statuses and order."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import json
from typing import Any

import pytest

from custom_components.smsmobileapi.api import (
    CallrClient,
    CallrCredentials,
    SentMessage,
    SmsGatewayAuthenticationError,
    SmsGatewayInvalidResponseError,
    SmsGatewayResponseError,
)
from smsmobileapi_simulator import Fault
from smsmobileapi_simulator.callr import CallrSms

from .conftest import LOGIN, NOW, NOW_TEXT, CallrSim, fixture

TO = "+33612345678"


def _send(callr: CallrSim, text: str, *, minutes_ago: int = 0, to: str = TO) -> CallrSms:
    return callr.state.send_sms(
        callr.account, to, text, sender="SMS", at=NOW - timedelta(minutes=minutes_ago)
    )


async def test_default_window(client: CallrClient, callr: CallrSim) -> None:
    """``type=OUT`` over the last seven days to now."""
    assert await client.get_sent_messages() == ()

    assert callr.only("GET /sms").query == {
        "type": "OUT",
        "from": "2026-09-16 12:00:00",
        "to": NOW_TEXT,
    }


async def test_window_from_since(client: CallrClient, callr: CallrSim) -> None:
    """``since`` is the window's start (UTC, to the second)."""
    await client.get_sent_messages(since=datetime(2026, 9, 23, 9, 30, 15, 400_000, tzinfo=UTC))

    assert callr.only("GET /sms").query == {
        "type": "OUT",
        "from": "2026-09-23 09:30:15",
        "to": NOW_TEXT,
    }


async def test_maps_and_orders_newest_first(client: CallrClient, callr: CallrSim) -> None:
    """hash, to, text, lower-cased status; ``sent_at`` is date_sent, else date_creation."""
    older = _send(callr, "older", minutes_ago=30)
    callr.state.set_status(older, "SENT", at=NOW - timedelta(minutes=29))
    newer = _send(callr, "newer", minutes_ago=5)

    listed = await client.get_sent_messages()

    assert listed == (
        SentMessage(
            guid=newer.hash,
            recipients=TO,
            message="newer",
            status="created",
            sent_at=NOW - timedelta(minutes=5),
        ),
        SentMessage(
            guid=older.hash,
            recipients=TO,
            message="older",
            status="sent",
            sent_at=NOW - timedelta(minutes=29),
        ),
    )


async def test_newest_first_whatever_the_service_order(
    client: CallrClient, callr: CallrSim
) -> None:
    """Sorted here, whichever order CALLR lists in."""
    for newest_first in (False, True):
        callr.state.variants.list_newest_first = newest_first
        hashes = [_send(callr, f"m{n}", minutes_ago=n).hash for n in (20, 1, 7)]

        listed = await client.get_sent_messages(since=NOW - timedelta(minutes=25))

        assert [message.guid for message in listed][:3] == [hashes[1], hashes[2], hashes[0]]
        callr.account.sms.clear()


@pytest.mark.parametrize(
    ("status", "failed"),
    [
        ("PENDING", False),
        ("SENT", False),
        ("REMOTE_QUEUED", False),
        ("RECEIVED", False),
        ("ERROR", True),
        ("FAILED", True),
        ("EXPIRED", True),
    ],
)
async def test_status_and_failure(
    client: CallrClient,
    callr: CallrSim,
    status: Any,  # noqa: ANN401
    failed: bool,
) -> None:
    """The status lower-cased; ERROR, FAILED and EXPIRED are failures reported by the service."""
    sms = _send(callr, "Hi", minutes_ago=2)
    callr.state.set_status(sms, status)

    [message] = await client.get_sent_messages()

    assert message.status == status.lower()
    assert message.failure == ("api" if failed else None)


async def test_errors_only(client: CallrClient, callr: CallrSim) -> None:
    """Only the failed ones are kept."""
    kept = []
    for n, status in enumerate(("RECEIVED", "ERROR", "SENT", "EXPIRED", "FAILED")):
        sms = _send(callr, f"m{n}", minutes_ago=n)
        callr.state.set_status(sms, status)  # type: ignore[arg-type]
        if status in {"ERROR", "EXPIRED", "FAILED"}:
            kept.append(sms.hash)

    listed = await client.get_sent_messages(errors_only=True)

    assert [message.guid for message in listed] == kept
    assert {message.status for message in listed} == {"error", "expired", "failed"}


async def test_keyword_in_text_or_recipient(client: CallrClient, callr: CallrSim) -> None:
    """``keyword`` matches the text or the recipient, whatever the case; empty keeps all."""
    door = _send(callr, "Alarm: front DOOR opened", minutes_ago=1)
    other = _send(callr, "Heating on", minutes_ago=2, to="+33700000042")
    _send(callr, "Nothing", minutes_ago=3)

    assert [m.guid for m in await client.get_sent_messages(keyword="door")] == [door.hash]
    assert [m.guid for m in await client.get_sent_messages(keyword="0042")] == [other.hash]
    assert len(await client.get_sent_messages(keyword="")) == 3
    assert await client.get_sent_messages(keyword="absent") == ()


async def test_one_by_hash(client: CallrClient, callr: CallrSim) -> None:
    """``guid`` reads ``GET /sms/<hash>``, no list."""
    sms = _send(callr, "Hi", minutes_ago=1)

    [message] = await client.get_sent_messages(guid=f" {sms.hash} ")

    assert message.guid == sms.hash
    assert callr.only("GET /sms/{hash}").path == f"/rest/v1.1/sms/{sms.hash}"
    assert callr.requests("GET /sms") == []


async def test_one_by_hash_with_filters(client: CallrClient, callr: CallrSim) -> None:
    """The filters apply to the one SMS too."""
    sms = _send(callr, "Hi there", minutes_ago=10)

    assert await client.get_sent_messages(guid=sms.hash, keyword="there") != ()
    assert await client.get_sent_messages(guid=sms.hash, keyword="absent") == ()
    assert await client.get_sent_messages(guid=sms.hash, errors_only=True) == ()
    assert await client.get_sent_messages(guid=sms.hash, since=NOW - timedelta(hours=1)) != ()
    assert await client.get_sent_messages(guid=sms.hash, since=NOW - timedelta(minutes=1)) == ()


async def test_one_by_hash_of_a_received_sms(client: CallrClient, callr: CallrSim) -> None:
    """A received SMS's hash is not a sent message: nothing."""
    incoming = callr.state.add_incoming(callr.account, TO, "Hello")

    assert await client.get_sent_messages(guid=incoming.hash) == ()


async def test_the_fixture(client: CallrClient, callr: CallrSim) -> None:
    """The shipped outgoing SMS object reads as documented."""
    body = json.dumps({"status": "success", "data": fixture("sms-out.json")})
    callr.state.faults.add(Fault("status", path="GET /sms/{hash}", status=200, body=body))

    assert await client.get_sent_messages(guid="0LWX4PQ2") == (
        SentMessage(
            guid="0LWX4PQ2",
            recipients="+33612345678",
            message="Alarm: front door opened",
            status="received",
            sent_at=datetime(2025, 3, 31, 15, 40, 3, tzinfo=UTC),
        ),
    )


@pytest.mark.parametrize(
    ("status", "style"),
    [(400, "http"), (404, "http"), (400, "jsonrpc"), (404, "jsonrpc")],
)
async def test_unknown_hash_is_nothing(
    client: CallrClient,
    callr: CallrSim,
    status: int,
    style: Any,  # noqa: ANN401
) -> None:
    """An unknown hash (400 or 404 ``PROPERTY_VALUE_ERROR [id]``) is an empty result."""
    callr.state.variants.unknown_hash_status = status
    callr.state.variants.error_codes = style

    assert await client.get_sent_messages(guid="ZZZZZZZZ") == ()
    assert len(callr.requests("GET /sms/{hash}")) == 1


@pytest.mark.parametrize("guid", ["", "../sms", "a/b", "x" * 65, "ab cd", "é"])
async def test_malformed_hash_is_nothing_and_no_request(
    client: CallrClient, callr: CallrSim, guid: str
) -> None:
    """A guid that cannot be a CALLR hash names no SMS and never reaches the URL."""
    assert await client.get_sent_messages(guid=guid) == ()
    assert callr.requests() == []


async def test_other_errors_of_the_lookup_are_raised(
    client: CallrClient, callr: CallrSim, make_client: Callable[..., CallrClient]
) -> None:
    """Only the unknown-hash answer means "nothing": a 500, an HTML 404 or bad credentials raise."""
    callr.state.faults.add(Fault("status", path="GET /sms/{hash}"))
    with pytest.raises(SmsGatewayResponseError, match="INTERNAL_ERROR"):
        await client.get_sent_messages(guid="ZZZZZZZZ")

    callr.state.faults.add(Fault("html", path="GET /sms/{hash}", status=404))
    with pytest.raises(SmsGatewayInvalidResponseError):
        await client.get_sent_messages(guid="ZZZZZZZZ")

    callr.state.faults.add(
        Fault(
            "status",
            path="GET /sms/{hash}",
            status=400,
            body=json.dumps(
                {"status": "error", "data": {"code": 400, "message": "PROPERTY_TYPE_ERROR [x]"}}
            ),
        )
    )
    with pytest.raises(SmsGatewayResponseError, match=r"PROPERTY_TYPE_ERROR \[x\]"):
        await client.get_sent_messages(guid="ZZZZZZZZ")

    with pytest.raises(SmsGatewayAuthenticationError):
        await make_client(CallrCredentials(LOGIN, "wrong")).get_sent_messages(guid="ZZZZZZZZ")


@pytest.mark.parametrize(
    "data",
    [None, [], "0LWX4PQ2", {"type": "OUT"}],
    ids=["null", "list", "string", "no-hash"],
)
async def test_invalid_lookup_answer(client: CallrClient, callr: CallrSim, data: object) -> None:
    """``GET /sms/<hash>`` must give an SMS object with its hash."""
    body = json.dumps({"status": "success", "data": data})
    callr.state.faults.add(Fault("status", path="GET /sms/{hash}", status=200, body=body))

    with pytest.raises(SmsGatewayInvalidResponseError):
        await client.get_sent_messages(guid="0LWX4PQ2")


async def test_rows_of_the_other_type_are_skipped(client: CallrClient, callr: CallrSim) -> None:
    """An ``IN`` row in the ``OUT`` list is not read as sent."""
    body = json.dumps(
        {"status": "success", "data": [fixture("sms-in.json"), fixture("sms-out.json")]}
    )
    callr.state.faults.add(Fault("status", path="GET /sms", status=200, body=body))

    [message] = await client.get_sent_messages(since=datetime(2025, 3, 31, tzinfo=UTC))

    assert message.guid == "0LWX4PQ2"


async def test_lenient_rows(client: CallrClient, callr: CallrSim) -> None:
    """No ``to``, status or dates: kept, with None; listed after the dated ones."""
    dated = fixture("sms-out.json")
    bare = {"hash": "BARE0001", "text": None, "status": ""}
    body = json.dumps({"status": "success", "data": [bare, dated]})
    callr.state.faults.add(Fault("status", path="GET /sms", status=200, body=body))

    listed = await client.get_sent_messages()

    assert listed[1] == SentMessage(guid="BARE0001", recipients=None, message="", status=None)
    assert listed[0].guid == "0LWX4PQ2"
    assert await client.get_sent_messages(since=NOW) == ()
