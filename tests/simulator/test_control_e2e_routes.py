"""Control routes the end-to-end suite needs: the sent-message list and API-key rotation."""

from smsmobileapi_simulator import Account, SimulatorState

from .helpers import API_KEY, Answer, Api


async def _control(api: Api, method: str, path: str, body: object = None) -> Answer:
    return await api.request(method, path, json_body=body)


async def test_sent_lists_what_sendsms_queued(
    api: Api, state: SimulatorState, account: Account
) -> None:
    """Every message sent through the API is listed with its exact text and recipients."""
    assert (await _control(api, "GET", "/_sim/sent")).json == []
    await api.post("/sendsms/", recipients="+32470112233", message="Bonjour, ça va ?")
    other = state.add_account("other-key")
    state.add_sent_sms(other, recipients="+1555", message="not ours")
    rows = (await api.request("GET", "/_sim/sent", query={"api_key": API_KEY})).json
    assert [(row["recipients"], row["message"], row["sid"]) for row in rows] == [
        ("+32470112233", "Bonjour, ça va ?", "phone-1")
    ]
    assert rows[0]["status"] == "queued"
    assert len((await _control(api, "GET", "/_sim/sent")).json) == 2


async def test_rotate_api_key(api: Api, state: SimulatorState, account: Account) -> None:
    """After a rotation the old key is refused, the new one sees the same phones."""
    answer = await _control(api, "POST", "/_sim/api_key", {"new_api_key": "rotated-key"})
    assert answer.status == 200
    assert answer.json == {"api_key": "rotated-key"}
    old = await api.get("/gateway/mobile/list/")
    assert old.status == 403
    new = await api.get("/gateway/mobile/list/", apikey="rotated-key")
    assert new.status == 200
    assert "phone-1" in new.text
    assert state.accounts["rotated-key"] is account


async def test_rotate_api_key_refusals(api: Api, state: SimulatorState, account: Account) -> None:
    """A missing new key, an unknown account or a key in use are refused."""
    missing = await _control(api, "POST", "/_sim/api_key", {})
    assert missing.status == 400
    unknown = await _control(
        api, "POST", "/_sim/api_key", {"api_key": "nobody", "new_api_key": "x"}
    )
    assert unknown.status == 404
    state.add_account("taken")
    taken = await _control(api, "POST", "/_sim/api_key", {"new_api_key": "taken"})
    assert taken.status == 409
    assert state.accounts[API_KEY] is account
