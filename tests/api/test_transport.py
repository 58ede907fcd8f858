"""The one request path under attack: no secret in any log, bounded bodies, no redirects."""

from collections.abc import Callable
import logging

import pytest

from custom_components.smsmobileapi.api import (
    OAuth2Credentials,
    SmsGatewayConnectionError,
    SmsGatewayError,
    SmsMobileApiClient,
)
from smsmobileapi_simulator import Fault

from .conftest import API_KEY, CLIENT_ID, CLIENT_SECRET, Sim, assert_no_secret

_LOGGER = logging.getLogger(__name__)


def _faults() -> list[object]:
    """Faults whose aiohttp error text is the full URL (the API key in its query)."""
    return [
        pytest.param(Fault("bad_http", path="/getsms/", times=None), id="malformed-response"),
        pytest.param(Fault("redirect", path="/getsms/", times=None), id="redirect-loop"),
    ]


@pytest.mark.parametrize("oauth", [False, True], ids=["apikey", "oauth2"])
@pytest.mark.parametrize("fault", _faults())
async def test_no_secret_in_any_log_or_message(
    make_client: Callable[..., SmsMobileApiClient],
    sim: Sim,
    caplog: pytest.LogCaptureFixture,
    fault: Fault,
    oauth: bool,
) -> None:
    """Faults whose aiohttp error holds the URL leak neither the key, the secret nor the token.

    Checked at DEBUG: the exception's text, repr and whole ``__cause__``/``__context__`` chain,
    and the traceback a caller logs with ``exc_info`` (what the integration's "Full error"
    debug line does).
    """
    caplog.set_level(logging.DEBUG)
    client = make_client(OAuth2Credentials(CLIENT_ID, CLIENT_SECRET) if oauth else None)
    secrets: tuple[str, ...] = (API_KEY, CLIENT_SECRET)
    if oauth:
        secrets += ((await client.get_access_token()).token,)
    sim.state.faults.add(fault)

    with pytest.raises(SmsGatewayError) as caught:
        await client.get_received_sms()
    _LOGGER.debug("Full error", exc_info=caught.value)

    error = caught.value
    assert error.__cause__ is None
    assert error.__context__ is None
    assert_no_secret(error, secrets=secrets)
    for secret in secrets:
        assert secret not in caplog.text


async def test_malformed_response(client: SmsMobileApiClient, sim: Sim) -> None:
    """A response no HTTP parser accepts: a connection error naming only the error's type.

    The request reached the service, so a send may have gone out (``request_sent``).
    """
    sim.state.faults.add(Fault("bad_http", path="/sendsms/"))

    with pytest.raises(SmsGatewayConnectionError) as caught:
        await client.send_message("+32470000009", "Hi")

    assert str(caught.value) == "Error while requesting /sendsms/: ClientResponseError"
    assert caught.value.request_sent is True
    assert len(sim.requests_to("/sendsms/")) == 1


async def test_refused_connection_not_sent(
    make_client: Callable[..., SmsMobileApiClient], closed_port: int
) -> None:
    """No connection could be made: the request certainly never left, and nothing is chained."""
    client = make_client(base_url=f"http://127.0.0.1:{closed_port}")

    with pytest.raises(SmsGatewayConnectionError) as caught:
        await client.send_message("+32470000009", "Hi")

    assert caught.value.request_sent is False
    assert caught.value.__context__ is None
