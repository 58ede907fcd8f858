"""CALLR sign-in: the menu, the form, the credentials tried first, errors, reauth, reconfigure."""

from collections.abc import Callable
from unittest.mock import patch

import aiohttp
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.smsmobileapi.api import CallrCredentials
from custom_components.smsmobileapi.const import CONF_BASE_URL, DOMAIN
from smsmobileapi_simulator import Fault
from smsmobileapi_simulator.callr import CallrServer

from .conftest import BASIC_TOKEN, LOGIN, PASSWORD, CallrSim

DEFAULT_URL = "https://api.callr.com/rest/v1.1"
AUTH_ERROR_ENVELOPE = '{"status":"error","data":{"code":22,"message":"AUTHENTICATION_FAILED"}}'


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["api_key", "oauth2", "callr"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "callr"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "callr"
    return result["flow_id"]


def _input(sim: CallrSim, **changes: str) -> dict[str, object]:
    base_url = changes.pop(CONF_BASE_URL) if CONF_BASE_URL in changes else sim.url
    return {
        CONF_USERNAME: LOGIN,
        CONF_PASSWORD: PASSWORD,
        "advanced": {CONF_BASE_URL: base_url},
    } | changes


def _defaults(schema: vol.Schema) -> dict[str, object]:
    return {
        str(key): key.default() if callable(key.default) else None
        for key in schema.schema
        if isinstance(key, vol.Marker)
    }


async def test_form_fields(hass: HomeAssistant) -> None:
    """The callr step asks for the login and password; the server URL hides in a section."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "callr"}
    )
    schema = result["data_schema"].schema
    assert [str(key) for key in schema] == [CONF_USERNAME, CONF_PASSWORD, "advanced"]
    advanced = next(value for key, value in schema.items() if str(key) == "advanced")
    assert isinstance(advanced, section)
    assert _defaults(advanced.schema) == {CONF_BASE_URL: DEFAULT_URL}
    assert result["description_placeholders"] == {"dashboard_url": "https://app.callr.com/"}
    assert result["errors"] == {}


async def test_creates_entry_after_a_real_request(hass: HomeAssistant, callr_sim: CallrSim) -> None:
    """Working credentials: one GET /sms on a short window, then the contract's entry data."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            CONF_USERNAME: f" {LOGIN} ",
            CONF_PASSWORD: PASSWORD,
            "advanced": {CONF_BASE_URL: callr_sim.url + "/"},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "CALLR"
    data = dict(result["data"])
    webhook_id = data.pop(CONF_WEBHOOK_ID)
    assert len(webhook_id) >= 32
    assert data == {
        "provider": "callr",
        CONF_USERNAME: LOGIN,
        CONF_PASSWORD: PASSWORD,
        CONF_BASE_URL: callr_sim.url,
    }
    assert result["description_placeholders"]["webhook_url"].endswith(f"/api/webhook/{webhook_id}")
    entry = result["result"]
    assert entry.unique_id == CallrCredentials(LOGIN, "another password").fingerprint
    assert LOGIN not in entry.unique_id
    # The credentials were tried on the received SMS of the last minute, before anything was
    # saved (the requests after it are the new entry's first poll).
    request = callr_sim.requests("GET /sms")[0]
    assert request.query == {
        "type": "IN",
        "from": "2026-09-23 11:59:00",
        "to": "2026-09-23 12:00:00",
    }
    assert request.headers["Authorization"] == f"Basic {BASIC_TOKEN}"


@pytest.mark.parametrize(
    ("auth_failure", "error_codes"),
    [
        ("json_401", "http"),
        ("json_401", "jsonrpc"),
        ("json_403", "http"),
        ("json_403", "jsonrpc"),
    ],
)
async def test_wrong_password_is_invalid_auth(
    hass: HomeAssistant, callr_sim: CallrSim, auth_failure: str, error_codes: str
) -> None:
    """Every way CALLR says "bad credentials" is invalid_auth; the right password then works."""
    callr_sim.state.variants.auth_failure = auth_failure  # type: ignore[assignment]
    callr_sim.state.variants.error_codes = error_codes  # type: ignore[assignment]
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _input(callr_sim, **{CONF_PASSWORD: "not the password"})
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    # The login is kept in the form; the password is not sent back.
    assert _defaults(result["data_schema"])[CONF_USERNAME] == LOGIN
    assert _defaults(result["data_schema"])[CONF_PASSWORD] is None
    result = await hass.config_entries.flow.async_configure(flow_id, _input(callr_sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_unknown_login_is_invalid_auth(hass: HomeAssistant, callr_sim: CallrSim) -> None:
    """A login CALLR does not know is refused like a wrong password."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _input(callr_sim, **{CONF_USERNAME: "nobody"})
    )
    assert result["errors"] == {"base": "invalid_auth"}


async def test_authentication_error_code_in_a_200_is_invalid_auth(
    hass: HomeAssistant, callr_sim: CallrSim
) -> None:
    """CALLR's authentication code in its error envelope means bad credentials, even in a 200."""
    callr_sim.state.faults.add(
        Fault(kind="status", path="GET /sms", status=200, body=AUTH_ERROR_ENVELOPE)
    )
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, _input(callr_sim))
    assert result["errors"] == {"base": "invalid_auth"}


@pytest.mark.parametrize(
    "prepare",
    [
        lambda sim: setattr(sim.state.variants, "auth_failure", "html_proxy"),
        lambda sim: sim.state.faults.add(Fault(kind="status", path="GET /sms", status=500)),
        lambda sim: sim.state.faults.add(Fault(kind="html", path="GET /sms", status=502)),
        lambda sim: sim.state.faults.add(
            Fault(kind="status", path="GET /sms", status=401, body="", content_type="text/plain")
        ),
        lambda sim: sim.state.faults.add(Fault(kind="malformed", path="GET /sms")),
        lambda sim: sim.state.faults.add(
            Fault(kind="status", path="GET /sms", status=302, body="", content_type="text/html")
        ),
        # aiohttp itself tries an idempotent request again on a reset connection: reset them all.
        lambda sim: sim.state.faults.add(Fault(kind="reset", path="GET /sms", times=None)),
    ],
    ids=[
        "proxy_401_page",
        "http_500",
        "proxy_502_page",
        "empty_401",
        "malformed",
        "redirect",
        "reset",
    ],
)
async def test_other_failures_are_cannot_connect(
    hass: HomeAssistant, callr_sim: CallrSim, prepare: Callable[[CallrSim], object]
) -> None:
    """Answers that are not CALLR judging the credentials are cannot_connect, never invalid_auth."""
    prepare(callr_sim)
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _input(callr_sim, **{CONF_PASSWORD: "not the password"})
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


async def test_server_down_is_cannot_connect(hass: HomeAssistant, callr_sim: CallrSim) -> None:
    """Nothing listening at the URL: cannot_connect, and the form stays."""
    url = callr_sim.url
    await callr_sim.server.stop()
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _input(callr_sim, base_url=url)
    )
    assert result["errors"] == {"base": "cannot_connect"}


@pytest.mark.parametrize(
    ("base_url", "error"),
    [
        ("http://api.callr.com/rest/v1.1", "url_not_https"),
        ("api.callr.com/rest/v1.1", "invalid_url"),
        ("https://exa mple.com/rest", "invalid_url"),
    ],
)
async def test_server_url_checked_before_any_request(
    hass: HomeAssistant, callr_sim: CallrSim, base_url: str, error: str
) -> None:
    """The password only travels over https (or to this machine); nothing is sent otherwise."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _input(callr_sim, base_url=base_url)
    )
    assert result["errors"] == {"base": error}
    assert callr_sim.state.requests == []


async def test_unexpected_error_is_unknown(
    hass: HomeAssistant, callr_sim: CallrSim, caplog: pytest.LogCaptureFixture
) -> None:
    """A surprise below the client (no server can produce it) is the unknown error, logged."""
    flow_id = await _start(hass)
    with patch.object(aiohttp.ClientSession, "request", side_effect=RuntimeError("boom")):
        result = await hass.config_entries.flow.async_configure(flow_id, _input(callr_sim))
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while testing the credentials" in caplog.text


async def test_same_login_twice_aborts(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """One entry per CALLR account: the same login again aborts once the credentials work."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _input(callr_sim, **{CONF_USERNAME: f"{LOGIN} "})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_another_login_is_another_entry(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """A second CALLR account (another login) gets its own entry."""
    callr_sim.state.add_account("someone-else", "their password")
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        _input(callr_sim, **{CONF_USERNAME: "someone-else", CONF_PASSWORD: "their password"}),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == CallrCredentials("someone-else", "x").fingerprint
    await hass.async_block_till_done()


async def test_reauth_with_new_password(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """The password changed at CALLR: the reauth form takes the new one for the same login."""
    callr_sim.state.rotate_password(callr_sim.account, "the new password 42")
    result = await callr_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert [str(key) for key in result["data_schema"].schema] == [CONF_USERNAME, CONF_PASSWORD]
    assert _defaults(result["data_schema"]) == {CONF_USERNAME: LOGIN, CONF_PASSWORD: None}
    assert result["description_placeholders"]["provider"] == "CALLR"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: LOGIN, CONF_PASSWORD: PASSWORD}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: LOGIN, CONF_PASSWORD: "the new password 42"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert callr_entry.data[CONF_PASSWORD] == "the new password 42"
    assert callr_entry.data[CONF_BASE_URL] == callr_sim.url
    assert callr_entry.unique_id == CallrCredentials(LOGIN, "x").fingerprint


async def test_reauth_with_another_login_is_refused(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """Another CALLR login is another account: refused, nothing changes."""
    callr_sim.state.add_account("someone-else", "their password")
    result = await callr_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "someone-else", CONF_PASSWORD: "their password"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert callr_entry.data[CONF_USERNAME] == LOGIN
    assert callr_entry.data[CONF_PASSWORD] == PASSWORD


async def test_reconfigure_server_url(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """Reconfigure tests the new server URL, then moves the entry to it and reloads it."""
    result = await callr_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert [str(key) for key in result["data_schema"].schema] == [
        CONF_USERNAME,
        CONF_PASSWORD,
        "advanced",
    ]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _input(callr_sim, base_url="http://127.0.0.1:9/rest/v1.1")
    )
    assert result["errors"] == {"base": "cannot_connect"}
    # The same service on another address: a second server over the same state.
    other = CallrServer(callr_sim.state, base_path="/other/v1.1")
    await other.start()
    try:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], _input(callr_sim, base_url=other.base_url)
        )
        await hass.async_block_till_done()
        assert result["reason"] == "reconfigure_successful"
        assert callr_entry.data[CONF_BASE_URL] == other.base_url
        assert callr_sim.state.requests[-1].path.startswith("/other/v1.1/")
    finally:
        await other.stop()


async def test_reconfigure_with_another_login_is_refused(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """Reconfigure keeps the account: another login aborts wrong_account."""
    callr_sim.state.add_account("someone-else", "their password")
    result = await callr_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        _input(callr_sim, **{CONF_USERNAME: "someone-else", CONF_PASSWORD: "their password"}),
    )
    assert result["reason"] == "wrong_account"
    assert callr_entry.data[CONF_USERNAME] == LOGIN
