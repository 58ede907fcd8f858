"""WhatsApp endpoints: the number check and the retrieval of received messages."""

from datetime import timedelta

import pytest

from smsmobileapi_simulator import Account, SimulatorState

from .helpers import NOW, Api, Clock


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


# --- retrieval of received messages ----------------------------------------------------------


async def test_retrieval_switch(api: Api, state: SimulatorState, account: Account) -> None:
    """Off by default; ``statut`` 1, 0 or x (toggle, the default); an odd one toggles too."""
    assert account.whatsapp_retrieval is False
    on = await api.get("/getwa/active/", statut="1")
    assert on.json == {
        "success": True,
        "read_message_active": 1,
        "status_note": "WhatsApp retrieval is active",
    }
    assert (await api.get("/getwa/active/")).json["read_message_active"] == 0
    assert (await api.get("/getwa/active/", statut="x")).json["read_message_active"] == 1
    assert (await api.get("/getwa/active/", statut="0")).json["read_message_active"] == 0
    assert (await api.get("/getwa/active/", statut="2")).json["read_message_active"] == 1
    state.variants.invented_param_errors = True
    refused = await api.get("/getwa/active/", statut="2")
    assert refused.json["result"]["error"] == "invalid_statut"


async def test_retrieval_inactive(api: Api, account: Account) -> None:
    """Before activation neither a window nor the list is served."""
    for path in ("/getwa/synchronisation/", "/getwa/"):
        answer = await api.get(path)
        assert answer.json["error"] == "whatsapp_retrieval_inactive"


async def test_sync_window(api: Api, state: SimulatorState, account: Account, clock: Clock) -> None:
    """Messages show once a window was requested after them, or arrived inside one."""
    await api.get("/getwa/active/", statut="1")
    early = state.add_received_whatsapp(account, "+15559876543", "early", name="Jordan")
    assert (await api.get("/getwa/")).json == {"error": "", "count": 0, "messages": []}

    window = await api.get("/getwa/synchronisation/")
    assert window.json == {
        "error": "",
        "messages": "Synchronization requested",
        "expire_at": "2026-09-23 12:10:00",
        "expire_at_unix": str(int((NOW + timedelta(minutes=10)).timestamp())),
    }
    clock.advance(minutes=1)
    inside = state.add_received_whatsapp(account, "+1", "", voice=True, sid="phone-1")
    clock.advance(minutes=10)
    late = state.add_received_whatsapp(account, "+2", "late")

    listed = (await api.get("/getwa/")).json
    assert listed["count"] == 2
    assert listed["messages"][1] == {
        "guid": early.guid,
        "data_id": early.data_id,
        "from": "+15559876543",
        "contact_name": "Jordan",
        "message": "early",
        "message_type": "text",
        "received_at": "2026-09-23T12:00:00Z",
        "timestamp_unix": int(NOW.timestamp()),
        "sIdentifiant": "phone-1",
    }
    assert listed["messages"][0]["guid"] == inside.guid
    assert listed["messages"][0]["message_type"] == "audio"
    assert (inside.synced, late.synced) == (True, False)


async def test_deactivation_closes_the_window(
    api: Api, state: SimulatorState, account: Account
) -> None:
    """Switching retrieval off ends the window: later messages wait for a new one."""
    await api.get("/getwa/active/", statut="1")
    await api.get("/getwa/synchronisation/")
    await api.get("/getwa/active/", statut="0")
    assert account.whatsapp_sync_until is None
    assert state.add_received_whatsapp(account, "+1", "x").synced is False


async def test_list_filters(
    api: Api, state: SimulatorState, account: Account, clock: Clock
) -> None:
    """``before`` (unix seconds), ``date`` and ``message_type``; odd values are ignored."""
    await api.get("/getwa/active/", statut="1")
    state.add_received_whatsapp(account, "+1", "old", received_at=NOW - timedelta(days=1))
    state.add_received_whatsapp(account, "+1", "voice", voice=True)
    state.add_received_whatsapp(account, "+1", "text")
    await api.get("/getwa/synchronisation/")

    async def texts(**params: str) -> list[str]:
        return [row["message"] for row in (await api.get("/getwa/", **params)).json["messages"]]

    assert await texts() == ["voice", "text", "old"]
    assert await texts(before=str(int(NOW.timestamp()))) == ["old"]
    assert await texts(date="2026-09-22") == ["old"]
    assert await texts(message_type="audio") == ["voice"]
    assert await texts(message_type="text") == ["text", "old"]
    odd = {"before": "soon", "date": "22/09", "message_type": "video"}
    for name, value in odd.items():
        assert len(await texts(**{name: value})) == 3
    state.variants.invented_param_errors = True
    for name, value in odd.items():
        refused = await api.get("/getwa/", **{name: value})
        assert refused.json["result"]["error"] == f"invalid_{name}"
