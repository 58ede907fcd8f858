"""Turning a :class:`Reply` into an aiohttp answer, including the faults that bend transport.

Shared by the SMSMobileAPI and CALLR applications.
"""

import asyncio
import socket
import struct

from aiohttp import web

from .faults import Fault
from .replies import Reply


def to_response(reply: Reply) -> web.Response:
    """Return the aiohttp response of a reply."""
    headers = {"Content-Type": reply.content_type, **dict(reply.headers)}
    return web.Response(status=reply.status, body=reply.body, headers=headers)


def reset_connection(request: web.Request) -> web.StreamResponse:
    """Drop the connection with a TCP reset instead of answering."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    return web.Response(status=500)  # never sent: the connection is gone


_BROKEN_RESPONSE = b"HTTP/1.1 2x0 Maybe\r\nContent-Length: many\r\n\r\n{}"


def break_http(request: web.Request) -> web.StreamResponse:
    """Write a response no HTTP parser accepts (bad status line), then close the connection."""
    transport = request.transport
    if transport is not None:
        transport.write(_BROKEN_RESPONSE)
        transport.close()
    return web.Response(status=500)  # never sent: the connection is gone


async def stream_slowly(request: web.Request, reply: Reply, fault: Fault) -> web.StreamResponse:
    """Send the reply's body in small chunks with a pause before each."""
    headers = {"Content-Type": reply.content_type, **dict(reply.headers)}
    response = web.StreamResponse(status=reply.status, headers=headers)
    response.content_length = len(reply.body)
    await response.prepare(request)
    for start in range(0, len(reply.body), fault.chunk_size):
        await asyncio.sleep(fault.chunk_delay)
        await response.write(reply.body[start : start + fault.chunk_size])
    await response.write_eof()
    return response
