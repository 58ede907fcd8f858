"""``/gateway/mobile/list/``, ``update`` and ``delete``, with the shape variants."""

from datetime import timedelta

import pytest

from smsmobileapi_simulator import Account, SimulatorState

from .helpers import NOW, Api


@pytest.fixture
def phones(state: SimulatorState, account: Account) -> None:
    """A second, offline phone without number."""
    state.add_phone(
        account,
        "phone-2",
        label="Kitchen",
        battery=5,
        version="4.1.19.2",
        online=False,
        last_seen=NOW - timedelta(hours=2),
    )


async def test_list_items_shape(api: Api, phones: None) -> None:
    """The default shape is the documented ``items`` envelope."""
    answer = await api.get("/gateway/mobile/list/")
    body = answer.json
    assert body["success"] is True
    assert (body["connected_available"], body["connected_limit"], body["connected_now"]) == (
        1,
        3,
        2,
    )
    assert body["filters"] == {"sid": None, "search": None}
    assert body["note"]
    assert body["items"][0] == {
        "sIdentifiant_pour_check": "phone-1",
        "nom_reference": "Office",
        "online": 1,
        "battery": 87,
        "version": "4.1.20.0",
        "date": "2026-09-23 11:59:00",
        "phone_number": "+32470000000",
    }
    assert body["items"][1]["online"] == 0


async def test_list_filters(api: Api, phones: None) -> None:
    """``sid`` is exact, ``search`` looks in every field."""

    async def sids(**params: str) -> list[str]:
        answer = await api.post("/gateway/mobile/list/", **params)
        return [item["sIdentifiant_pour_check"] for item in answer.json["items"]]

    assert await sids(sid="phone-2") == ["phone-2"]
    assert await sids(sid="phone") == []
    assert await sids(search="kitch") == ["phone-2"]
    assert await sids(search="4.1.20") == ["phone-1"]
    assert await sids(search="10:00:00") == ["phone-2"]


@pytest.mark.parametrize(
    ("shape", "battery_format", "battery"),
    [("result_mobiles", "percent", "87%"), ("result_mobile", "str", "87")],
)
async def test_result_variants(
    api: Api,
    state: SimulatorState,
    account: Account,
    *,
    shape: str,
    battery_format: str,
    battery: str,
) -> None:
    """The ``result``/``mobiles`` (or ``mobile``) shapes and string batteries."""
    state.variants.phones_shape = shape  # type: ignore[assignment]
    state.variants.battery_format = battery_format  # type: ignore[assignment]
    answer = await api.get("/gateway/mobile/list")
    key = "mobiles" if shape == "result_mobiles" else "mobile"
    assert answer.json == {
        "result": {
            "error": 0,
            key: [
                {
                    "sIdentifiant": "phone-1",
                    "label": "Office",
                    "online": True,
                    "battery": battery,
                    "version": "4.1.20.0",
                    "date": "2026-09-23 11:59:00",
                }
            ],
        }
    }


async def test_items_battery_string(api: Api, state: SimulatorState, account: Account) -> None:
    """The battery format applies to the ``items`` shape too."""
    state.variants.battery_format = "str"
    answer = await api.get("/gateway/mobile/list/")
    assert answer.json["items"][0]["battery"] == "87"


async def test_update(api: Api, account: Account) -> None:
    """The label is required but may be empty; the number is optional."""
    answer = await api.post(
        "/gateway/mobile/update/", sid="phone-1", label="Desk", phone_number="+1"
    )
    assert answer.json == {"success": True, "sid": "phone-1", "label": "Desk", "phone_number": "+1"}
    answer = await api.get("/gateway/mobile/update", sid="phone-1", label="")
    assert answer.json["label"] == ""
    assert account.phones["phone-1"].phone_number == "+1"
    missing_label = await api.get("/gateway/mobile/update/", sid="phone-1")
    assert (missing_label.status, missing_label.json["error"]) == (
        400,
        "Missing required parameter: label",
    )
    missing_sid = await api.get("/gateway/mobile/update/", label="x")
    assert missing_sid.json["error"] == "Missing required parameter: sid"
    unknown = await api.get("/gateway/mobile/update/", sid="nope", label="x")
    assert (unknown.status, unknown.json) == (404, {"success": False, "error": "Mobile not found"})


async def test_delete(api: Api, state: SimulatorState, account: Account, phones: None) -> None:
    """Deleting a phone removes its history rows too."""
    state.add_received_sms(account, "+1", "kept", sid="phone-1")
    state.add_received_sms(account, "+1", "gone", sid="phone-2")
    state.add_sent_from_mobile(account, "+1", "gone too", sid="phone-2")
    answer = await api.post("/gateway/mobile/delete/", sid="phone-2")
    assert answer.json == {"success": True, "sid": "phone-2", "deleted": True}
    assert list(account.phones) == ["phone-1"]
    assert [sms.message for sms in account.received] == ["kept"]
    assert account.sent_from_mobile == []
    assert (await api.get("/gateway/mobile/delete", sid="phone-2")).status == 404
    assert (await api.get("/gateway/mobile/delete/")).status == 400
