"""CALLR control routes under ``/_sim/``."""

import pytest

from smsmobileapi_simulator.callr import CallrAccount, CallrState

from .helpers import CallrApi, Receiver, basic


async def test_incoming_sms_route(
    api: CallrApi, state: CallrState, account: CallrAccount, receiver: Receiver
) -> None:
    """``POST /_sim/incoming`` stores an SMS (the API lists it) and pushes ``sms.mo``."""
    state.webhooks.subscribe(account, "sms.mo", receiver.url)
    answer = await api.control(
        "POST",
        "/_sim/incoming",
        {"from": "+33612345678", "text": "hi", "received_at": "2026-09-23T11:00:00Z"},
    )
    assert answer.status == 201
    assert (answer.json["type"], answer.json["date_received"]) == ("IN", "2026-09-23 11:00:00")
    listed = (await api.list("IN")).json["data"]
    assert listed == [answer.json]
    _, _, envelope = await receiver.next_json()
    assert envelope["data"]["hash"] == answer.json["hash"]
    quiet = await api.control(
        "POST", "/_sim/incoming", {"from": "+1", "text": "quiet", "push": False}
    )
    assert quiet.status == 201
    assert len(state.webhooks.events) == 1
    missing = await api.control("POST", "/_sim/incoming", {"from": "+1"})
    assert (missing.status, missing.json) == (400, {"error": "text is required"})
    unknown_reply = await api.control(
        "POST", "/_sim/incoming", {"from": "+1", "text": "x", "in_reply_to": "NOPE1234"}
    )
    assert unknown_reply.status == 400


async def test_status_routes(api: CallrApi, state: CallrState, account: CallrAccount) -> None:
    """Status changes and one-step advances of an outgoing SMS; errors for bad requests."""
    sms_hash = await api.send()
    advanced = await api.control("POST", f"/_sim/sms/{sms_hash}/advance")
    assert (advanced.status, advanced.json["status"]) == (200, "PENDING")
    failed = await api.control(
        "POST",
        f"/_sim/sms/{sms_hash}/status",
        {"status": "FAILED", "status_error": "ABSENT", "at": "2026-09-23T12:00:05Z"},
    )
    assert (failed.json["status"], failed.json["status_error"]) == ("FAILED", "ABSENT")
    assert failed.json["date_update"] == "2026-09-23 12:00:05"
    assert (await api.get(f"/sms/{sms_hash}")).json["data"] == failed.json
    again = await api.control("POST", f"/_sim/sms/{sms_hash}/status", {"status": "SENT"})
    assert again.status == 400
    bad = await api.control("POST", f"/_sim/sms/{sms_hash}/status", {"status": "LOST"})
    assert bad.status == 400
    missing = await api.control("POST", "/_sim/sms/NOPE1234/advance")
    assert (missing.status, missing.json) == (404, {"error": "no such SMS"})
    other = await api.send()
    quiet = await api.control(
        "POST", f"/_sim/sms/{other}/status", {"status": "SENT", "push": False}
    )
    assert quiet.json["date_sent"] == "2026-09-23 12:00:00"


async def test_list_sms_route(api: CallrApi, state: CallrState, account: CallrAccount) -> None:
    """``GET /_sim/sms`` lists every SMS, or one type."""
    sent = await api.send()
    incoming = state.add_incoming(account, "+1", "x")
    every = await api.request("GET", "/_sim/sms", headers={})
    assert [row["hash"] for row in every.json] == [sent, incoming.hash]
    outgoing = await api.request("GET", "/_sim/sms", query={"type": "OUT"}, headers={})
    assert [row["hash"] for row in outgoing.json] == [sent]
    bad = await api.request("GET", "/_sim/sms", query={"type": "ALL"}, headers={})
    assert bad.status == 400


async def test_accounts_routes(api: CallrApi, state: CallrState, account: CallrAccount) -> None:
    """Create an account, block it, rotate passwords; unknown logins are 404."""
    created = await api.control("POST", "/_sim/account", {"login": "second", "password": "pw"})
    assert (created.status, created.json) == (201, {"login": "second", "number": "+33755001122"})
    second = basic("second", "pw")
    assert (await api.list("IN", headers=second)).status == 200
    blocked = await api.control("PATCH", "/_sim/account", {"login": "second", "blocked": True})
    assert blocked.json == {"login": "second", "blocked": True}
    assert (await api.list("IN", headers=second)).status == 403
    untouched = await api.control("PATCH", "/_sim/account", {})
    assert untouched.json == {"login": account.login, "blocked": False}
    rotated = await api.control("POST", "/_sim/rotate_password", {})
    assert rotated.json["login"] == account.login
    assert rotated.json["password"] == account.password
    assert (await api.list("IN")).status == 401
    chosen = await api.control("POST", "/_sim/rotate_password", {"password": "chosen"})
    assert chosen.json["password"] == "chosen"
    nobody = await api.control("POST", "/_sim/rotate_password", {"login": "nobody"})
    assert (nobody.status, nobody.json) == (404, {"error": "no such account"})
    duplicate = await api.control("POST", "/_sim/account", {"login": "second", "password": "x"})
    assert (duplicate.status, duplicate.json) == (400, {"error": "account 'second' exists"})


async def test_webhook_routes(
    api: CallrApi, state: CallrState, account: CallrAccount, receiver: Receiver
) -> None:
    """Subscribe, list, unsubscribe; policy and forced faults; delivery outcomes."""
    answer = await api.control(
        "POST",
        "/_sim/webhooks",
        {"type": "sms.mo", "endpoint": receiver.url, "options": {"hmac_secret": "k"}},
    )
    assert answer.status == 201
    hook_hash = answer.json["hash"]
    assert answer.json == {"hash": hook_hash, "type": "sms.mo", "endpoint": receiver.url}
    assert account.webhooks[hook_hash].hmac_secret == "k"
    listed = await api.request("GET", "/_sim/webhooks", headers={})
    assert listed.json == [answer.json]
    policy = await api.control(
        "PATCH",
        "/_sim/webhook_policy",
        {
            "max_tries": 3,
            "backoff": 0,
            "factor": 1.5,
            "timeout": 1,
            "duplicates": 1,
            "bad_signatures": 1,
        },
    )
    assert policy.json == {"max_tries": 3, "backoff": 0.0, "factor": 1.5, "timeout": 1.0}
    state.add_incoming(account, "+1", "x")
    await api.drain()
    deliveries = (await api.request("GET", "/_sim/deliveries", headers={})).json
    assert [
        (item["try"], item["status"], item["duplicate"], item["bad_signature"])
        for item in deliveries
    ] == [
        (0, 200, False, True),
        (0, 200, True, True),
    ]
    assert deliveries[0]["hook_hash"] == hook_hash
    assert deliveries[0]["type"] == "sms.mo"
    gone = await api.request("DELETE", f"/_sim/webhooks/{hook_hash}", headers={})
    assert gone.status == 204
    again = await api.request("DELETE", f"/_sim/webhooks/{hook_hash}", headers={})
    assert again.status == 404


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"type": "call.missed", "endpoint": "http://h"}, "type must be one of"),
        ({"type": "sms.mo", "endpoint": "http://h", "options": "x"}, "options must be an object"),
        (
            {"type": "sms.mo", "endpoint": "http://h", "options": {"hmac_algo": "MD5"}},
            "unsupported",
        ),
        ({"type": "sms.mo"}, "endpoint is required"),
    ],
)
async def test_subscribe_errors(api: CallrApi, body: dict[str, object], error: str) -> None:
    """Bad subscriptions answer 400 with the reason."""
    answer = await api.control("POST", "/_sim/webhooks", body)
    assert answer.status == 400
    assert error in answer.json["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"max_tries": 0},
        {"duplicates": -1},
        {"bad_signatures": "x"},
        {"backoff": -1},
        {"timeout": "slow"},
        {"retries": 3},
    ],
)
async def test_policy_errors(api: CallrApi, body: dict[str, object]) -> None:
    """Bad delivery settings answer 400."""
    assert (await api.control("PATCH", "/_sim/webhook_policy", body)).status == 400


async def test_variants_route(api: CallrApi, state: CallrState) -> None:
    """Every variant can be set; the answer is the whole set."""
    answer = await api.control(
        "PATCH",
        "/_sim/variants",
        {
            "auth_failure": "html_proxy",
            "error_codes": "jsonrpc",
            "unknown_hash_status": 404,
            "list_row_cap": 10,
            "list_newest_first": True,
            "echo_options": True,
            "legacy_push_fields": True,
            "strict_options": True,
            "accept_api_key": True,
        },
    )
    assert answer.json == {
        "auth_failure": "html_proxy",
        "error_codes": "jsonrpc",
        "unknown_hash_status": 404,
        "list_row_cap": 10,
        "list_newest_first": True,
        "echo_options": True,
        "legacy_push_fields": True,
        "strict_options": True,
        "accept_api_key": True,
    }
    assert state.variants.auth_failure == "html_proxy"
    uncapped = await api.control("PATCH", "/_sim/variants", {"list_row_cap": None})
    assert uncapped.json["list_row_cap"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"auth_failure": "json_500"},
        {"error_codes": 1},
        {"unknown_hash_status": 410},
        {"list_row_cap": 0},
        {"echo_options": "yes"},
        {"echo_options": None},
        {"paging": True},
    ],
)
async def test_variant_errors(api: CallrApi, body: dict[str, object]) -> None:
    """Unknown variants and bad values answer 400."""
    assert (await api.control("PATCH", "/_sim/variants", body)).status == 400


async def test_fault_and_observation_routes(api: CallrApi, state: CallrState) -> None:
    """Faults by route, then requests and statistics, then clearing both."""
    planned = await api.control(
        "POST", "/_sim/fault", {"kind": "status", "path": "GET /sms", "times": 2}
    )
    assert (planned.status, planned.json) == (
        201,
        {"kind": "status", "path": "/GET /sms/", "times": 2},
    )
    assert (await api.list("IN")).status == 500
    cleared = await api.request("DELETE", "/_sim/faults", headers={})
    assert cleared.status == 204
    assert (await api.list("IN")).status == 200
    await api.post("/sms", {"to": "+33612345678", "body": "x"})
    recorded = (await api.request("GET", "/_sim/requests", headers={})).json
    assert [item["route"] for item in recorded] == ["GET /sms", "GET /sms", "POST /sms"]
    assert recorded[2]["json"] == {"to": "+33612345678", "body": "x"}
    assert recorded[0]["query"]["type"] == "IN"
    assert recorded[0]["path"] == "/rest/v1.1/sms"
    assert recorded[0]["method"] == "GET"
    assert "Authorization" in recorded[0]["headers"]
    stats = (await api.request("GET", "/_sim/stats", headers={})).json
    assert stats["routes"]["GET /sms"]["requests"] == 2
    assert stats["total_requests"] == 3
    assert stats["total_bytes_sent"] == state.total_bytes_sent
    assert (await api.request("DELETE", "/_sim/requests", headers={})).status == 204
    assert state.requests == []
    bad_fault = await api.control("POST", "/_sim/fault", {"kind": "meteor"})
    assert bad_fault.status == 400


async def test_control_token_and_bad_bodies(api: CallrApi, state: CallrState) -> None:
    """With a control token, calls need ``X-Sim-Token``; bodies must be JSON objects."""
    state.control_token = "tok"
    denied = await api.request("GET", "/_sim/stats", headers={})
    assert (denied.status, denied.json) == (401, {"error": "invalid control token"})
    allowed = await api.request("GET", "/_sim/stats", headers={"X-Sim-Token": "tok"})
    assert allowed.status == 200
    not_json = await api.request(
        "POST", "/_sim/incoming", data=b"nope", headers={"X-Sim-Token": "tok"}
    )
    assert (not_json.status, not_json.json) == (400, {"error": "the body must be JSON"})
