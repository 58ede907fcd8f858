"""The SMS object and webhook deliveries against the shipped fixtures; encoding and parts."""

from dataclasses import replace
from datetime import UTC, datetime
import json

import pytest

from smsmobileapi_simulator.callr import (
    CallrAccount,
    CallrState,
    SendOptions,
    WebhookEvent,
    build_delivery,
    count_parts,
    detect_encoding,
    sign,
    sms_json,
    verify,
)
from smsmobileapi_simulator.callr.sms import CallrSms
from tests.simulator.helpers import Clock

from .helpers import FIXTURE_SECRET, fixture


def _at(text: str) -> datetime:
    """Parse a fixture's ``YYYY-MM-DD HH:MM:SS.mmm`` (UTC)."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)


def _fixture_out(state: CallrState, account: CallrAccount, clock: Clock) -> CallrSms:
    """Rebuild the fixtures' outgoing SMS: same texts, options and status times."""
    clock.now = _at("2025-03-31 15:40:01.000")
    sms = state.send_sms(
        account,
        "+33612345678",
        "Alarm: front door opened",
        sender="SMS",
        options=SendOptions(raw={"user_data": "ha-42"}, user_data="ha-42"),
    )
    for change in fixture("sms-out.json")["status_history"]:
        state.set_status(sms, change["new_status"], at=_at(change["updated_at"]))
    return sms


def _fixture_in(state: CallrState, account: CallrAccount) -> CallrSms:
    """Rebuild the fixtures' incoming SMS."""
    received = _at("2025-03-31 15:42:00.123")
    return state.add_incoming(account, "+33612345678", "Hello from my phone", received_at=received)


def test_outgoing_object_is_the_fixture(
    state: CallrState, account: CallrAccount, clock: Clock
) -> None:
    """Every member, its value and the members' order match ``sms-out.json`` (hash aside)."""
    sms = _fixture_out(state, account, clock)
    expected = fixture("sms-out.json")
    served = state.sms_json(sms)
    assert list(served) == list(expected)
    assert served == {**expected, "hash": sms.hash}


def test_incoming_object_is_the_fixture(state: CallrState, account: CallrAccount) -> None:
    """An incoming SMS is ``sms-in.json``: CREATED→RECEIVED, no ``date_sent``, no network."""
    sms = _fixture_in(state, account)
    expected = fixture("sms-in.json")
    served = state.sms_json(sms)
    assert list(served) == list(expected)
    assert served == {**expected, "hash": sms.hash}


@pytest.mark.parametrize(
    ("name", "hook_hash"),
    [("webhook-sms-mo.json", "IAYHJ6F3"), ("webhook-sms-mt-status-update.json", None)],
)
def test_fixture_signatures(name: str, hook_hash: str | None) -> None:
    """``sign`` gives the shipped signatures over the shipped raw bodies; tampering fails."""
    delivery = fixture(name)
    raw = delivery["raw_body"].encode()
    signature = delivery["headers"]["X-CALLR-HmacSignature"]
    assert delivery["hmac_secret"] == FIXTURE_SECRET
    assert sign(FIXTURE_SECRET, raw) == signature
    assert verify(FIXTURE_SECRET, raw, signature)
    assert not verify(FIXTURE_SECRET, raw.replace(b'"try":0', b'"try":1'), signature)
    assert not verify("another-secret", raw, signature)
    assert json.loads(raw)["hook_hash"] == hook_hash


@pytest.mark.parametrize("incoming", [True, False])
def test_build_delivery_reproduces_fixture_bytes(
    state: CallrState, account: CallrAccount, clock: Clock, incoming: bool
) -> None:
    """Our envelope and SMS object serialise to the fixtures' exact raw bytes and headers."""
    name = "webhook-sms-mo.json" if incoming else "webhook-sms-mt-status-update.json"
    shipped = fixture(name)
    envelope = json.loads(shipped["raw_body"])
    sms = _fixture_in(state, account) if incoming else _fixture_out(state, account, clock)
    event = WebhookEvent(
        event_id=envelope["event_id"],
        event_type=envelope["type"],
        event_at=datetime.fromisoformat(envelope["event_at"]),
        hook_hash=envelope["hook_hash"],
        url="http://127.0.0.1/hook",
        hmac_secret=FIXTURE_SECRET,
        data={**state.sms_json(sms), "hash": envelope["data"]["hash"]},
    )
    headers, body = build_delivery(event)
    assert body == shipped["raw_body"].encode()
    assert headers == shipped["headers"]
    retry_headers, retry_body = build_delivery(event, 3)
    assert b'"try":3' in retry_body
    assert retry_headers["X-CALLR-EventId"] == envelope["event_id"]
    assert verify(FIXTURE_SECRET, retry_body, retry_headers["X-CALLR-HmacSignature"])


def test_unsigned_and_badly_signed_deliveries(state: CallrState) -> None:
    """No secret: no signature header; a forced bad signature never verifies."""
    event = WebhookEvent(
        "e" * 32, "sms.mo", datetime(2026, 1, 1, tzinfo=UTC), None, "http://h", None, {}
    )
    headers, body = build_delivery(event)
    assert "X-CALLR-HmacSignature" not in headers
    assert body.startswith(b'{"event_id":"eeee')
    assert b'"event_at":"2026-01-01T00:00:00.000Z"' in body
    bad_headers, bad_body = build_delivery(event, bad_signature=True)
    assert not verify("", bad_body, bad_headers["X-CALLR-HmacSignature"])
    signed = replace(event, hmac_secret="s3cret")
    headers, body = build_delivery(signed, bad_signature=True)
    assert not verify("s3cret", body, headers["X-CALLR-HmacSignature"])


def test_legacy_push_fields_and_echoed_options(state: CallrState, account: CallrAccount) -> None:
    """The variants append ``push_*`` members and give the options back."""
    options: dict[str, object] = {"user_data": "u", "flash_message": True}
    sms = state.send_sms(account, "+33612345678", "hi", options=options)
    assert sms.user_data == "u"
    plain = sms_json(sms)
    assert plain["options"] is None
    assert not any(name.startswith("push_") for name in plain)
    rich = sms_json(sms, echo_options=True, legacy_push_fields=True)
    assert rich["options"] == {"user_data": "u", "flash_message": True}
    assert list(rich)[-3:] == ["push_url", "push_status", "push_date"]
    assert rich["push_date"] == "0000-00-00 00:00:00"


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [
        ("a" * 160, "GSM", 1),
        ("a" * 161, "GSM", 2),
        ("a" * 306, "GSM", 2),
        ("a" * 307, "GSM", 3),
        ("€" * 80, "GSM", 1),  # extension characters take two septets
        ("€" * 81, "GSM", 2),
        ("àéÄ£¥§¿" * 20, "GSM", 1),
        ("é" * 70 + "ê", "UNICODE", 2),  # ê is not GSM 03.38
        ("ê" * 70, "UNICODE", 1),
        ("ê" * 134, "UNICODE", 2),
        ("ê" * 135, "UNICODE", 3),
        ("😀" * 35, "UNICODE", 1),  # two UTF-16 units each
        ("😀" * 36, "UNICODE", 2),
    ],
)
def test_encoding_and_parts(text: str, encoding: str, parts: int) -> None:
    """GSM 03.38 detection; 160/153 septets or 70/67 UCS-2 units a part."""
    assert detect_encoding(text) == encoding
    assert count_parts(text, detect_encoding(text)) == parts


def test_forced_encoding_counts(state: CallrState, account: CallrAccount) -> None:
    """``force_encoding`` overrides detection and the part size follows it."""
    unicode_sms = state.send_sms(
        account, "+33612345678", "a" * 71, options=SendOptions(force_encoding="UNICODE")
    )
    assert (unicode_sms.encoding, unicode_sms.parts) == ("UNICODE", 2)
    gsm_sms = state.send_sms(
        account, "+33612345678", "ê" * 100, options=SendOptions(force_encoding="GSM")
    )
    assert (gsm_sms.encoding, gsm_sms.parts) == ("GSM", 1)
    assert gsm_sms.customer_debit == account.out_debit_per_part
    assert unicode_sms.customer_debit == 2 * account.out_debit_per_part
