"""A long CALLR list is read in slices, the event loop running in between, with the same SMS."""

import asyncio
from datetime import timedelta

import aiohttp

from custom_components.smsmobileapi.api import CallrClient, CallrCredentials
from custom_components.smsmobileapi.api.slices import LARGE_ANSWER

from .conftest import LOGIN, NOW, PASSWORD, REQUEST_TIMEOUT, CallrSim

COUNT = 800


async def test_a_large_callr_inbox_through_the_client(
    callr: CallrSim, session: aiohttp.ClientSession
) -> None:
    """A list of several slices: every SMS, oldest first, and other tasks ran meanwhile."""
    for index in range(COUNT):
        callr.state.add_incoming(
            callr.account,
            "+33612345678",
            f"Message {index}",
            received_at=NOW - timedelta(seconds=COUNT - index),
            push=False,
        )
    client = CallrClient(
        session,
        CallrCredentials(LOGIN, PASSWORD),
        base_url=callr.url,
        request_timeout=REQUEST_TIMEOUT,
    )
    turns = 0

    async def spin() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    spinner = asyncio.create_task(spin())
    await asyncio.sleep(0)
    turns = 0
    try:
        listed = await client.get_received_sms(after=NOW - timedelta(hours=1))
    finally:
        spinner.cancel()
    assert turns > 0
    assert [sms.message for sms in listed] == [f"Message {index}" for index in range(COUNT)]
    assert callr.state.path_stats("GET /sms").bytes_sent > LARGE_ANSWER
