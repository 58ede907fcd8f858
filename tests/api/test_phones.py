"""Connected phones: every list shape and battery format, relabel and delete."""

from datetime import UTC, datetime, timedelta
import json
from typing import Any

import pytest

from custom_components.smsmobileapi.api import (
    Phone,
    PhoneList,
    SmsGatewayInvalidResponseError,
    SmsGatewayResponseError,
    SmsMobileApiClient,
)
from smsmobileapi_simulator import Fault

from .conftest import API_KEY, NOW, Sim, fixture_text

BASE_FIELDS = {"from": "homeassistant", "apikey": API_KEY}
PHONE_A = Phone(
    phone_id="phone-a",
    label="Kitchen",
    online=True,
    battery=87,
    version="4.1.20.0",
    last_seen=NOW - timedelta(minutes=2),
    phone_number="+32470000001",
)
PHONE_B = Phone(
    phone_id="phone-b",
    label="Office",
    online=False,
    battery=45,
    version="4.1.19.2",
    last_seen=NOW - timedelta(hours=3),
    phone_number=None,
)


async def test_phones_items_shape(client: SmsMobileApiClient, sim: Sim) -> None:
    """The ``items`` shape: phones and the account's connection counts."""
    phones = await client.get_phones()

    assert phones == PhoneList(phones=(PHONE_A, PHONE_B), connected_limit=3, connected_now=2)
    [request] = sim.requests_to("/gateway/mobile/list/")
    assert request.method == "GET"
    assert request.query == BASE_FIELDS


@pytest.mark.parametrize("battery_format", ["int", "str", "percent"])
@pytest.mark.parametrize("shape", ["items", "result_mobiles", "result_mobile"])
async def test_phones_every_shape_and_battery(
    client: SmsMobileApiClient, sim: Sim, shape: str, battery_format: str
) -> None:
    """All three envelopes and battery as 87, "87" or "87%" give the same phones."""
    sim.state.variants.phones_shape = shape  # type: ignore[assignment]
    sim.state.variants.battery_format = battery_format  # type: ignore[assignment]

    phones = await client.get_phones()

    if shape == "items":
        assert phones == PhoneList(phones=(PHONE_A, PHONE_B), connected_limit=3, connected_now=2)
    else:
        # The ``result`` shapes carry neither the phone number nor the account's counts.
        assert phones == PhoneList(phones=(PHONE_A._replace(phone_number=None), PHONE_B))


@pytest.mark.parametrize(
    ("kwargs", "fields", "expected"),
    [
        ({"phone_id": "phone-b"}, {"sid": "phone-b"}, (PHONE_B,)),
        ({"search": "kitchen"}, {"search": "kitchen"}, (PHONE_A,)),
    ],
)
async def test_phones_filters(
    client: SmsMobileApiClient,
    sim: Sim,
    kwargs: dict[str, str],
    fields: dict[str, str],
    expected: tuple[Phone, ...],
) -> None:
    """``phone_id`` filters on ``sid``; ``search`` is passed as is."""
    phones = await client.get_phones(**kwargs)

    assert phones.phones == expected
    assert sim.only_fields("/gateway/mobile/list/") == {**fields, **BASE_FIELDS}


async def test_phones_documented_shape(client: SmsMobileApiClient, sim: Sim) -> None:
    """String flags, a percentage and nulls, as reported for the ``items`` shape."""
    sim.state.faults.add(
        Fault(
            "status",
            path="/gateway/mobile/list/",
            status=200,
            body=fixture_text("docs_gateway_items.json"),
        )
    )

    assert await client.get_phones() == PhoneList(
        phones=(
            Phone(
                phone_id="a1b2c3",
                label="Office phone",
                online=True,
                battery=87,
                version="4.1.20.0",
                last_seen=datetime(2026, 9, 23, 11, 58, tzinfo=UTC),
                phone_number="+32470000000",
            ),
            Phone(phone_id="d4e5f6", online=False),
        ),
        connected_limit=3,
        connected_now=2,
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"result": {"error": 0, "mobile": {"sid": "s1", "label": "One", "last_seen": 0}}},
            PhoneList(
                phones=(
                    Phone(phone_id="s1", label="One", last_seen=datetime(1970, 1, 1, tzinfo=UTC)),
                )
            ),
        ),
        ({"result": {"error": 0, "mobiles": []}}, PhoneList(phones=())),
        ({"success": True, "items": []}, PhoneList(phones=())),
        (
            {"items": [{"sIdentifiant": "s2", "online": "offline", "battery": "101%"}]},
            PhoneList(phones=(Phone(phone_id="s2", online=False, battery=None),)),
        ),
    ],
)
async def test_phones_lenient_shapes(
    client: SmsMobileApiClient, sim: Sim, body: dict[str, Any], expected: PhoneList
) -> None:
    """A single ``mobile`` object, empty lists, alternative field names."""
    sim.state.faults.add(
        Fault("status", path="/gateway/mobile/list/", status=200, body=json.dumps(body))
    )

    assert await client.get_phones() == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"items": [{"label": "no id"}]}, "missing field 'sIdentifiant_pour_check' in mobile"),
        ({"result": "none"}, "expected an object for 'result'"),
        ({"result": {"mobiles": "s1"}}, "expected a list for 'mobiles'"),
        ({"items": {"sid": "s1"}}, "expected a list for 'items'"),
        ({"result": {"error": 0, "mobiles": None}}, "missing field 'mobiles' in result"),
        ({"result": {"error": 0}}, "missing field 'mobiles' in result"),
        ({"success": True, "items": None}, "missing field 'items' in response"),
        ({"success": True}, "missing field 'items' in response"),
    ],
)
async def test_phones_invalid_shapes(
    client: SmsMobileApiClient, sim: Sim, body: dict[str, Any], message: str
) -> None:
    """Unusable shapes raise InvalidResponseError naming what was expected.

    No list at all is an unknown layout, never "no phones" (that would remove every device).
    """
    sim.state.faults.add(
        Fault("status", path="/gateway/mobile/list/", status=200, body=json.dumps(body))
    )

    with pytest.raises(SmsGatewayInvalidResponseError, match=f"^{message}$"):
        await client.get_phones()


async def test_update_phone(client: SmsMobileApiClient, sim: Sim) -> None:
    """A new label and number are posted and stored."""
    await client.update_phone("phone-b", label="Garage", phone_number="+32470000002")

    [request] = sim.requests_to("/gateway/mobile/update/")
    assert request.method == "POST"
    assert request.form == {
        "sid": "phone-b",
        "label": "Garage",
        "phone_number": "+32470000002",
        **BASE_FIELDS,
    }
    phone = sim.account.phones["phone-b"]
    assert (phone.label, phone.phone_number) == ("Garage", "+32470000002")


async def test_update_phone_clears_label(client: SmsMobileApiClient, sim: Sim) -> None:
    """An empty label is sent (the parameter is required) and clears it; no number is sent."""
    await client.update_phone("phone-a", label="")

    assert sim.only_fields("/gateway/mobile/update/") == {
        "sid": "phone-a",
        "label": "",
        **BASE_FIELDS,
    }
    phone = sim.account.phones["phone-a"]
    assert (phone.label, phone.phone_number) == ("", "+32470000001")
    assert (await client.get_phones(phone_id="phone-a")).phones[0].label is None


async def test_delete_phone(client: SmsMobileApiClient, sim: Sim) -> None:
    """A phone is removed from the gateway."""
    await client.delete_phone("phone-b")

    [request] = sim.requests_to("/gateway/mobile/delete/")
    assert request.method == "POST"
    assert request.form == {"sid": "phone-b", **BASE_FIELDS}
    assert list(sim.account.phones) == ["phone-a"]
    assert (await client.get_phones()).phones == (PHONE_A,)


@pytest.mark.parametrize("action", ["update", "delete"])
async def test_unknown_phone(client: SmsMobileApiClient, sim: Sim, action: str) -> None:
    """An unknown SID is the service's 404 ``Mobile not found``."""
    request = (
        client.update_phone("nope", label="x")
        if action == "update"
        else client.delete_phone("nope")
    )

    with pytest.raises(SmsGatewayResponseError) as caught:
        await request

    assert type(caught.value) is SmsGatewayResponseError
    assert (caught.value.code, caught.value.status) == ("Mobile not found", 404)
    path = f"/gateway/mobile/{action}/"
    assert str(caught.value) == f"{path} failed with error Mobile not found"
    assert list(sim.account.phones) == ["phone-a", "phone-b"]
