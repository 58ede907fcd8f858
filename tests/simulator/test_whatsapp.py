"""WhatsApp endpoints: the number check."""

import pytest

from smsmobileapi_simulator import Account, SimulatorState

from .helpers import Api


async def test_check_number(api: Api, state: SimulatorState, account: Account) -> None:
    """A number has WhatsApp unless listed without; the answer echoes the number."""
    account.without_whatsapp.add("32470000002")

    yes = await api.get("/whatsapp/checknumber/", recipients="32470000001")
    no = await api.post("/whatsapp/checknumber", recipients="32470000002")

    assert (yes.status, yes.json) == (
        200,
        {"success": True, "recipients": "32470000001", "whatsapp": True},
    )
    assert no.json["whatsapp"] is False


async def test_check_number_unknown_offline(api: Api, account: Account) -> None:
    """With no phone online nobody can tell: ``whatsapp`` is null."""
    account.phones["phone-1"].online = False

    answer = await api.get("/whatsapp/checknumber/", recipients="32470000001")

    assert answer.json["whatsapp"] is None


@pytest.mark.parametrize("recipients", ["+32470000001", "0032470000001"])
async def test_check_number_prefixes(
    api: Api, state: SimulatorState, account: Account, recipients: str
) -> None:
    """The doc asks for no "+" or "00": read anyway, refused only by the invented variant."""
    answer = await api.get("/whatsapp/checknumber/", recipients=recipients)
    assert answer.json["recipients"] == "32470000001"

    state.variants.invented_param_errors = True
    refused = await api.get("/whatsapp/checknumber/", recipients=recipients)
    assert refused.json["result"]["error"] == "invalid_recipients"


async def test_check_number_needs_a_number(api: Api, account: Account) -> None:
    """``recipients`` is required (the OpenAPI's 400); the key is checked first."""
    missing = await api.get("/whatsapp/checknumber/")
    assert (missing.status, missing.json["message"]) == (
        400,
        "Missing or invalid parameter: recipients",
    )
    unknown_key = await api.get("/whatsapp/checknumber/", apikey="nope", recipients="1")
    assert unknown_key.status == 403
