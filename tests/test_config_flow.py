"""Config flow: API key and OAuth2 sign-in, errors, duplicates, reauth and reconfigure."""

from collections.abc import Callable
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_API_KEY, CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.smsmobileapi.api import ApiKeyCredentials, OAuth2Credentials
from custom_components.smsmobileapi.config_flow import url_error
from custom_components.smsmobileapi.const import (
    AUTH_API_KEY,
    AUTH_OAUTH2,
    CONF_AUTH_TYPE,
    CONF_BASE_URL,
    CONF_PROVIDER,
    DOMAIN,
)
from smsmobileapi_simulator import SimulatorServer

from .conftest import API_KEY, CLIENT_ID, CLIENT_SECRET, Simulator


async def _start(hass: HomeAssistant, method: str) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == [AUTH_API_KEY, AUTH_OAUTH2, "callr"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": method}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == method
    return result["flow_id"]


async def test_api_key_creates_entry(hass: HomeAssistant, seeded: Simulator) -> None:
    """A working API key creates an entry that stores the server URL and a webhook id."""
    flow_id = await _start(hass, AUTH_API_KEY)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_KEY: f"  {API_KEY} ", "advanced": {CONF_BASE_URL: seeded.url + "/"}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "SMSMobileAPI"
    data = dict(result["data"])
    assert len(data.pop(CONF_WEBHOOK_ID)) >= 32
    assert data == {
        CONF_PROVIDER: "smsmobileapi",
        CONF_AUTH_TYPE: AUTH_API_KEY,
        CONF_API_KEY: API_KEY,
        CONF_BASE_URL: seeded.url,
    }
    entry = result["result"]
    assert entry.unique_id == ApiKeyCredentials(API_KEY).fingerprint
    assert API_KEY not in entry.unique_id
    # The credentials were tested against the account before the entry was made.
    assert seeded.requests_to("/gateway/mobile/list/")[0]["apikey"] == API_KEY
    assert seeded.requests_to("/getsms/")[0]["from"] == "homeassistant"


async def test_oauth2_creates_entry(hass: HomeAssistant, seeded: Simulator) -> None:
    """An OAuth2 client is exchanged for a token before the entry is made."""
    flow_id = await _start(hass, AUTH_OAUTH2)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: CLIENT_SECRET,
            "advanced": {CONF_BASE_URL: seeded.url},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_AUTH_TYPE] == AUTH_OAUTH2
    assert result["data"][CONF_CLIENT_ID] == CLIENT_ID
    assert result["data"][CONF_CLIENT_SECRET] == CLIENT_SECRET
    assert result["result"].unique_id == OAuth2Credentials(CLIENT_ID, "x").fingerprint
    phone_requests = [r for r in seeded.state.requests if r.path.startswith("/gateway")]
    assert phone_requests[0].headers["Authorization"].startswith("Bearer ")
    assert "apikey" not in phone_requests[0].query


@pytest.mark.parametrize(
    ("prepare", "user_input", "error"),
    [
        (lambda sim: None, {CONF_API_KEY: "wrong-key"}, "invalid_auth"),
        (lambda sim: setattr(sim.account, "expired", True), {}, "subscription_expired"),
        (lambda sim: None, {"advanced": {CONF_BASE_URL: "http://127.0.0.1:9"}}, "cannot_connect"),
    ],
    ids=["invalid_auth", "subscription_expired", "cannot_connect"],
)
async def test_api_key_errors_then_recover(
    hass: HomeAssistant,
    seeded: Simulator,
    prepare: Callable[[Simulator], object],
    user_input: dict[str, object],
    error: str,
) -> None:
    """Each failure shows its error and keeps the form; fixing it creates the entry."""
    prepare(seeded)
    flow_id = await _start(hass, AUTH_API_KEY)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {CONF_API_KEY: API_KEY, "advanced": {CONF_BASE_URL: seeded.url}} | user_input,
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    seeded.account.expired = False
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_KEY: API_KEY, "advanced": {CONF_BASE_URL: seeded.url}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_oauth2_invalid_client(hass: HomeAssistant, seeded: Simulator) -> None:
    """A wrong client secret is an authentication error, and the form keeps the client id."""
    flow_id = await _start(hass, AUTH_OAUTH2)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: "nope",
            "advanced": {CONF_BASE_URL: seeded.url},
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    schema_keys = {str(key): key for key in result["data_schema"].schema}
    assert schema_keys[CONF_CLIENT_ID].default() == CLIENT_ID


async def test_unexpected_error(hass: HomeAssistant, seeded: Simulator) -> None:
    """A surprise in the client is reported as unknown (no server can produce this one)."""
    flow_id = await _start(hass, AUTH_API_KEY)
    with patch(
        "custom_components.smsmobileapi.api.SmsMobileApiClient.get_phones",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_API_KEY: API_KEY, "advanced": {CONF_BASE_URL: seeded.url}}
        )
    assert result["errors"] == {"base": "unknown"}


async def test_same_key_twice_aborts(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """The same API key cannot be added twice."""
    flow_id = await _start(hass, AUTH_API_KEY)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_KEY: API_KEY, "advanced": {CONF_BASE_URL: seeded.url}}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_same_account_through_oauth2_aborts(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """OAuth2 credentials of an account already added by API key are recognised by its phones."""
    flow_id = await _start(hass, AUTH_OAUTH2)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: CLIENT_SECRET,
            "advanced": {CONF_BASE_URL: seeded.url},
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_other_account_can_be_added(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A second account with other phones is a second entry."""
    other = seeded.state.add_account(api_key="other-key")
    seeded.state.add_phone(other, sid="phone-other", label="Other")
    flow_id = await _start(hass, AUTH_API_KEY)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_KEY: "other-key", "advanced": {CONF_BASE_URL: seeded.url}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_reauth_with_rotated_key(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A new API key of the same account (same phones) is accepted and the entry reloaded."""
    seeded.state.rotate_api_key(seeded.account, "rotated-key")
    result = await loaded_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "rotated-key"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert loaded_entry.data[CONF_API_KEY] == "rotated-key"
    assert loaded_entry.data[CONF_BASE_URL] == seeded.url
    assert loaded_entry.unique_id == ApiKeyCredentials("rotated-key").fingerprint


async def test_reauth_same_key_accepted(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Re-entering the same key (for example after the subscription was fixed) works."""
    result = await loaded_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: API_KEY}
    )
    assert result["reason"] == "reauth_successful"


async def test_reauth_other_account_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Credentials of another account are refused and change nothing."""
    other = seeded.state.add_account(api_key="other-key")
    seeded.state.add_phone(other, sid="phone-other", label="Other")
    result = await loaded_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "other-key"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert loaded_entry.data[CONF_API_KEY] == API_KEY


async def test_reconfigure_server_url(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Reconfigure moves the entry to another server URL after testing it."""
    result = await loaded_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_API_KEY: API_KEY, "advanced": {CONF_BASE_URL: "http://127.0.0.1:9"}},
    )
    assert result["errors"] == {"base": "cannot_connect"}
    # The same service on another address: a second server over the same state.
    other_server = SimulatorServer(seeded.state, host="127.0.0.1", port=0)
    await other_server.start()
    try:
        new_url = other_server.url
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_API_KEY: API_KEY, "advanced": {CONF_BASE_URL: new_url}}
        )
        await hass.async_block_till_done()
    finally:
        await other_server.stop()
    assert result["reason"] == "reconfigure_successful"
    assert loaded_entry.data[CONF_BASE_URL] == new_url


async def test_reconfigure_oauth2_other_account_refused(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """An OAuth2 entry asks for client id and secret, and refuses another account's."""
    entry = make_entry(
        **{
            CONF_AUTH_TYPE: AUTH_OAUTH2,
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: CLIENT_SECRET,
        }
    )
    other = seeded.state.add_account(
        api_key="other-key", client_id="other-id", client_secret="other-secret"
    )
    seeded.state.add_phone(other, sid="phone-other", label="Other")
    result = await entry.start_reconfigure_flow(hass)
    schema_keys = {str(key) for key in result["data_schema"].schema}
    assert {CONF_CLIENT_ID, CONF_CLIENT_SECRET, "advanced"} <= schema_keys
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_CLIENT_ID: "other-id",
            CONF_CLIENT_SECRET: "other-secret",
            "advanced": {CONF_BASE_URL: seeded.url},
        },
    )
    assert result["reason"] == "wrong_account"


async def test_options_webhook_secret(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """The options show the webhook URL, set and clear the V2 secret, and reload the entry."""
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["description_placeholders"]["webhook_url"].endswith(
        f"/api/webhook/{loaded_entry.data[CONF_WEBHOOK_ID]}"
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"webhook_secret": "  s3cret "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options == {
        "scan_interval": 60,
        "slow_scan_interval": 300,
        "poll_sms": True,
        "poll_whatsapp": False,
        "poll_missed_calls": True,
        "poll_answered_calls": True,
        "stale_phone_minutes": 30,
        "default_channel": "sms",
        "conversation_max_replies": 10,
        "webhook_secret": "s3cret",
    }
    await hass.async_block_till_done()
    # The stored secret never goes back to the browser; an empty field keeps it.
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert "s3cret" not in repr(result["data_schema"].schema)
    suggested = {
        str(key): key.description.get("suggested_value") if key.description else None
        for key in result["data_schema"].schema
    }
    assert suggested["webhook_secret"] is None
    assert suggested["poll_sms"] is True
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert loaded_entry.options["webhook_secret"] == "s3cret"
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"remove_webhook_secret": True}
    )
    assert "webhook_secret" not in loaded_entry.options
    assert "remove_webhook_secret" not in loaded_entry.options


async def test_options_change_polling(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """New intervals, sources and defaults take effect through the reload."""
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "scan_interval": 120.0,
            "slow_scan_interval": 600,
            "poll_sms": True,
            "poll_missed_calls": False,
            "poll_answered_calls": True,
            "stale_phone_minutes": 60,
            "default_channel": "whatsapp",
            "default_sim": "2",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options["scan_interval"] == 120
    assert loaded_entry.options["default_sim"] == "2"
    coordinator = loaded_entry.runtime_data.coordinator
    assert coordinator.update_interval is not None
    assert coordinator.update_interval.total_seconds() == 120
    with pytest.raises(vol.Invalid):
        await hass.config_entries.options.async_configure(
            (await hass.config_entries.options.async_init(loaded_entry.entry_id))["flow_id"],
            {"scan_interval": 5},
        )


async def test_created_entry_shows_webhook_url(hass: HomeAssistant, seeded: Simulator) -> None:
    """The success message carries the webhook URL to paste in the dashboard."""
    hass.config.external_url = "https://ha.example.org"
    flow_id = await _start(hass, AUTH_API_KEY)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_KEY: API_KEY, "advanced": {CONF_BASE_URL: seeded.url}}
    )
    webhook_id = result["data"][CONF_WEBHOOK_ID]
    assert result["description_placeholders"]["webhook_url"] == (
        f"https://ha.example.org/api/webhook/{webhook_id}"
    )


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://api.smsmobileapi.com", "url_not_https"),
        ("http://192.168.1.10:8765", "url_not_https"),
        ("ftp://api.smsmobileapi.com", "invalid_url"),
        ("api.smsmobileapi.com", "invalid_url"),
        ("https://", "invalid_url"),
        ("http://[::1", "invalid_url"),
        ("https://exa mple.com", "invalid_url"),
        ("https://user:secret@api.smsmobileapi.com", "invalid_url"),
    ],
)
async def test_server_url_must_be_https(
    hass: HomeAssistant, seeded: Simulator, url: str, error: str
) -> None:
    """The credentials travel with every request: https, or http to this machine only."""
    flow_id = await _start(hass, AUTH_API_KEY)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_API_KEY: API_KEY, "advanced": {CONF_BASE_URL: url}}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert seeded.state.requests == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_http_allowed_to_this_machine(host: str) -> None:
    """The local simulator runs over http on loopback."""
    assert url_error(f"http://{host}:8765") is None
    assert url_error("https://api.smsmobileapi.com") is None
