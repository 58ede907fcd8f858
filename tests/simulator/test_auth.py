"""Authentication: API key, OAuth2 tokens and each endpoint family's error shape."""

import pytest

from smsmobileapi_simulator import Account, Fault, SimulatorState

from .helpers import API_KEY, CLIENT_ID, CLIENT_SECRET, Api, Clock


async def _token(api: Api) -> str:
    answer = await api.request(
        "POST",
        "/oauth2/token",
        form={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert answer.status == 200
    body = answer.json
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    return str(body["access_token"])


async def test_api_key_in_query_or_form(api: Api, account: Account) -> None:
    """The key works as a query parameter and as a form field."""
    assert (await api.get("/getsms/")).json == {"result": {"error": "", "sms": []}}
    answer = await api.post("/gateway/mobile/list", sid="phone-1")
    assert answer.json["success"] is True
    assert len(answer.json["items"]) == 1


async def test_bearer_token(api: Api, account: Account, clock: Clock) -> None:
    """A token from /oauth2/token replaces the key until it expires."""
    token = await _token(api)
    bearer = {"Authorization": f"Bearer {token}"}
    answer = await api.request("GET", "/call/incoming/list/", headers=bearer)
    assert answer.status == 200
    assert answer.json["apikey"] == API_KEY
    clock.advance(seconds=3600)
    answer = await api.request("GET", "/getsms/", headers=bearer)
    assert answer.status == 401
    assert answer.json["error"] == "invalid_token"


async def test_unknown_bearer_token(api: Api) -> None:
    """An unknown token is refused whatever the endpoint family."""
    answer = await api.request("GET", "/call/missed/list/", headers={"Authorization": "Bearer x"})
    assert answer.status == 401
    assert answer.json["error"] == "invalid_token"


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"grant_type": "client_credentials", "client_id": CLIENT_ID}, 401, "invalid_client"),
        (
            {"grant_type": "password", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
            400,
            "unsupported_grant_type",
        ),
        ({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}, 400, "invalid_request"),
    ],
)
async def test_token_errors(api: Api, form: dict[str, str], status: int, error: str) -> None:
    """Bad clients and grant types get the OAuth2 errors."""
    answer = await api.request("POST", "/oauth2/token/", form=form)
    assert answer.status == status
    assert answer.json["error"] == error
    assert answer.json["message"]


async def test_token_lifetime_setting(api: Api, state: SimulatorState) -> None:
    """``token_lifetime`` sets expires_in."""
    state.token_lifetime = 60
    answer = await api.request(
        "POST",
        "/oauth2/token",
        form={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert answer.json["expires_in"] == 60


CALL_ERRORS = [
    (None, 400, {"success": False, "error": "missing_apikey"}),
    ("wrong", 403, {"success": False, "error": "invalid_apikey"}),
    ("expired", 403, {"success": False, "error": "api_expired"}),
]
SMS_ERRORS = [
    (None, 400, {"error": "missing_apikey", "message": "Missing required parameter: apikey"}),
    ("wrong", 403, {"error": 1, "message": "Unauthorized"}),
    (
        "expired",
        403,
        {"result": {"error": "subscription_expire", "message": "Subscription expired"}},
    ),
]
GETSMS_ERRORS = [
    (None, 200, {"result": {"error": 1, "message": "unauthorized"}}),
    ("wrong", 200, {"result": {"error": 1, "message": "unauthorized"}}),
    (
        "expired",
        200,
        {"result": {"error": "subscription_expire", "message": "Subscription expired"}},
    ),
]
SUCCESS_ERRORS = [
    (None, 400, {"success": False, "error": "Missing required parameter: apikey"}),
    ("wrong", 403, {"success": False, "error": "Invalid apikey"}),
    ("expired", 403, {"success": False, "error": "Subscription expired"}),
]


@pytest.mark.parametrize(
    ("path", "key", "status", "body"),
    [
        *[("/call/incoming/list/", *case) for case in CALL_ERRORS],
        *[("/call/missed/list/", *case) for case in CALL_ERRORS],
        *[("/sendsms/", *case) for case in SMS_ERRORS],
        *[("/getsms/", *case) for case in GETSMS_ERRORS],
        *[("/gateway/mobile/list/", *case) for case in SUCCESS_ERRORS],
        *[("/conversation/sms/list/", *case) for case in SUCCESS_ERRORS],
    ],
)
async def test_family_errors(
    api: Api, state: SimulatorState, *, path: str, key: str | None, status: int, body: object
) -> None:
    """Missing, unknown and expired keys answer in each family's documented shape."""
    state.add_account(api_key="expired", expired=True)
    answer = await api.get(path, apikey=key)
    assert answer.status == status
    assert answer.json == body


@pytest.mark.parametrize(
    ("key", "status", "body"),
    [
        ("wrong", 403, {"error": 1, "message": "Unauthorized"}),
        (
            "expired",
            403,
            {"result": {"error": "subscription_expire", "message": "Subscription expired"}},
        ),
    ],
)
async def test_getsms_openapi_variant(
    api: Api, state: SimulatorState, key: str, status: int, body: object
) -> None:
    """With the HTTP 200 variant off, /getsms/ answers like the other SMS endpoints."""
    state.variants.getsms_auth_error_http200 = False
    state.add_account(api_key="expired", expired=True)
    answer = await api.get("/getsms/", apikey=key)
    assert (answer.status, answer.json) == (status, body)


async def test_missed_calls_text_variant(api: Api, state: SimulatorState) -> None:
    """The missed-call list can answer a missing key in free text."""
    state.variants.missed_calls_text_errors = True
    answer = await api.get("/call/missed/list/", apikey=None)
    assert answer.text == "Missing apikey"
    assert answer.headers["Content-Type"].startswith("text/html")
    invalid = await api.get("/call/missed/list/", apikey="wrong")
    assert invalid.json == {"success": False, "error": "invalid_apikey"}


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("expired", {"success": False, "error": "api_expired"}),
        ("invalid_key", {"success": False, "error": "invalid_apikey"}),
    ],
)
async def test_forced_auth_faults(
    api: Api, state: SimulatorState, account: Account, kind: str, body: object
) -> None:
    """The expired and invalid_key faults fail one request of a valid account."""
    state.faults.add(Fault(kind="expired" if kind == "expired" else "invalid_key"))
    answer = await api.get("/call/outgoing/list/")
    assert (answer.status, answer.json) == (403, body)
    assert (await api.get("/call/outgoing/list/")).status == 200


async def test_rotated_api_key(api: Api, account: Account, state: SimulatorState) -> None:
    """After a rotation the old key is refused and the new one sees the same account."""
    state.rotate_api_key(account, "new-key")
    old = await api.get("/gateway/mobile/list/")
    assert old.status == 403
    new = await api.request("GET", "/gateway/mobile/list/", query={"apikey": "new-key"})
    assert new.status == 200
    assert [item["sIdentifiant_pour_check"] for item in new.json["items"]] == ["phone-1"]
    with pytest.raises(ValueError, match="exists"):
        state.rotate_api_key(account, "new-key")


@pytest.mark.parametrize("path", ["/call/missed/list/", "/call/incoming/list/"])
async def test_call_endpoints_apikey_only_variant(
    api: Api, account: Account, state: SimulatorState, path: str
) -> None:
    """With the variant the call lists ignore a bearer token (the doc: ``apikey`` only).

    A token alone is then a missing key; the key still works; other endpoints take tokens.
    """
    bearer = {"Authorization": f"Bearer {await _token(api)}"}
    assert (await api.request("GET", path, headers=bearer)).status == 200

    state.variants.call_endpoints_apikey_only = True

    refused = await api.request("GET", path, headers=bearer)
    assert (refused.status, refused.json) == (400, {"success": False, "error": "missing_apikey"})
    assert (await api.get(path)).status == 200
    assert (await api.request("GET", "/getsms/", headers=bearer)).status == 200
