"""HTTP Basic authentication, its failure variants, password rotation and blocked accounts."""

import base64

import pytest

from smsmobileapi_simulator.callr import CallrAccount, CallrState

from .helpers import LOGIN, PASSWORD, CallrApi, basic

_UNAUTHORIZED = {
    "status": "error",
    "data": {"code": 401, "message": "AUTHENTICATION_FAILED"},
}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic(password="wrong"),
        basic(login="nobody"),
        {"Authorization": "Basic !!!not-base64!!!"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        {"Authorization": "Bearer token"},
        {"Authorization": "Api-Key anything"},
    ],
)
async def test_bad_credentials_default_401(
    api: CallrApi, state: CallrState, headers: dict[str, str]
) -> None:
    """Missing, wrong or unusable credentials: 401, the error envelope and a Basic challenge."""
    answer = await api.list("IN", headers=headers)
    assert (answer.status, answer.json) == (401, _UNAUTHORIZED)
    assert answer.headers["WWW-Authenticate"].startswith("Basic ")
    assert answer.headers["Content-Type"] == "application/json"


async def test_good_credentials(api: CallrApi) -> None:
    """The account's Basic credentials reach the endpoint."""
    answer = await api.list("IN")
    assert (answer.status, answer.json) == (200, {"status": "success", "data": []})


async def test_latin1_credentials(api: CallrApi, state: CallrState) -> None:
    """A password that is not UTF-8 once decoded is read as Latin-1."""
    state.add_account("latin", "pass\u00e9")
    token = base64.b64encode("latin:pass\u00e9".encode("latin-1")).decode()
    answer = await api.list("IN", headers={"Authorization": f"Basic {token}"})
    assert answer.status == 200


async def test_403_variant(api: CallrApi, state: CallrState) -> None:
    """``json_403``: HTTP 403 with ``FORBIDDEN`` (code 22 in the JSON-RPC variant)."""
    state.variants.auth_failure = "json_403"
    answer = await api.get("/sms/ABCDEFGH", headers=basic(password="wrong"))
    assert (answer.status, answer.json) == (
        403,
        {"status": "error", "data": {"code": 403, "message": "FORBIDDEN"}},
    )
    state.variants.error_codes = "jsonrpc"
    answer = await api.get("/sms/ABCDEFGH", headers=basic(password="wrong"))
    assert (answer.status, answer.json["data"]["code"]) == (403, 22)


async def test_html_proxy_variant(api: CallrApi, state: CallrState) -> None:
    """``html_proxy``: a 401 HTML page, not JSON."""
    state.variants.auth_failure = "html_proxy"
    answer = await api.post("/sms", {"to": "+33612345678", "body": "x"}, headers={})
    assert answer.status == 401
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "<title>401 Authorization Required</title>" in answer.text
    assert state.accounts[LOGIN].outgoing == []


async def test_jsonrpc_auth_code(api: CallrApi, state: CallrState) -> None:
    """The JSON-RPC variant reports CALLR's "authentication failed" code 22."""
    state.variants.error_codes = "jsonrpc"
    answer = await api.list("IN", headers={})
    assert (answer.status, answer.json["data"]) == (
        401,
        {"code": 22, "message": "AUTHENTICATION_FAILED"},
    )


async def test_rotate_password(api: CallrApi, state: CallrState, account: CallrAccount) -> None:
    """After a rotation the stored (old) password fails; the new one works."""
    new_password = state.rotate_password(account)
    assert new_password != PASSWORD
    assert account.password == new_password
    assert (await api.list("IN")).status == 401
    fresh = basic(password=new_password)
    assert (await api.list("IN", headers=fresh)).status == 200
    assert state.rotate_password(account, "chosen") == "chosen"


async def test_blocked_account(api: CallrApi, account: CallrAccount) -> None:
    """A blocked account gets 403 ``FORBIDDEN`` with good credentials."""
    account.blocked = True
    answer = await api.list("OUT")
    assert (answer.status, answer.json["data"]) == (403, {"code": 403, "message": "FORBIDDEN"})


async def test_api_key_variant(api: CallrApi, state: CallrState) -> None:
    """``Api-Key <key>`` works only with ``accept_api_key`` and a matching key."""
    state.add_account("keyed", "pw", api_key="the-key")
    headers = {"Authorization": "Api-Key the-key"}
    assert (await api.list("IN", headers=headers)).status == 401
    state.variants.accept_api_key = True
    assert (await api.list("IN", headers=headers)).status == 200
    wrong = {"Authorization": "Api-Key other"}
    assert (await api.list("IN", headers=wrong)).status == 401


def test_accounts_are_unique(state: CallrState, account: CallrAccount) -> None:
    """A login exists once; the first account is the default one."""
    with pytest.raises(ValueError, match="exists"):
        state.add_account(LOGIN, "x")
    assert state.default_account() is account
    assert CallrState().default_account() is None
    assert state.authenticate(LOGIN, PASSWORD) is account
    assert state.authenticate(LOGIN, "nope") is None
