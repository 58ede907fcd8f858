"""Looking pushed SMS up by GUID: only the SMS looked for become models."""

from datetime import timedelta

from custom_components.smsmobileapi.api import SmsMobileApiClient

from .conftest import NOW, Sim


async def test_smsmobileapi_finds_the_sms_looked_for(client: SmsMobileApiClient, sim: Sim) -> None:
    """The same request as a listing; the others are left out; an unknown GUID is absent."""
    first = sim.state.add_received_sms(sim.account, "+32470000001", "one", received_at=NOW)
    sim.state.add_received_sms(sim.account, "+32470000002", "two", received_at=NOW)
    third = sim.state.add_received_sms(sim.account, "+32470000003", "three", received_at=NOW)
    after = NOW - timedelta(minutes=15)
    listed = {sms.guid: sms for sms in await client.get_received_sms(after=after)}
    found = await client.find_received_sms({first.guid, third.guid, "UNKNOWN"}, after=after)
    assert found == {first.guid: listed[first.guid], third.guid: listed[third.guid]}
    assert sim.fields_to("/getsms/")[-1]["after_timestamp_unix"] == str(int(after.timestamp()))
