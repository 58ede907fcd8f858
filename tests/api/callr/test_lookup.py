"""Looking pushed SMS up by hash: only the SMS looked for become models."""

from datetime import timedelta

from custom_components.smsmobileapi.api import CallrClient

from .conftest import CallrSim


async def test_callr_finds_the_sms_looked_for(client: CallrClient, callr: CallrSim) -> None:
    """The same window as a listing; only the hashes looked for; an unknown hash is absent."""
    first = callr.state.add_incoming(callr.account, "+33612345678", "one", push=False)
    callr.state.add_incoming(callr.account, "+33612345679", "two", push=False)
    after = callr.state.now() - timedelta(minutes=15)
    listed = {sms.guid: sms for sms in await client.get_received_sms(after=after)}
    found = await client.find_received_sms({first.hash, "ZZZZZZZZ"}, after=after)
    assert found == {first.hash: listed[first.hash]}
