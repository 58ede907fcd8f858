"""CALLR answers: the ``status``/``data`` envelope, authentication failures and fault bodies."""

from collections.abc import Mapping

from smsmobileapi_simulator.faults import Fault
from smsmobileapi_simulator.replies import Reply, json_reply, text_reply

from .model import CallrVariants

AUTH_CODE_JSONRPC = 22
"""CALLR's JSON-RPC "authentication failed" code (from the SDKs)."""
JSONRPC_CODES: Mapping[int, int] = {
    # Only 22 comes from CALLR. The others are JSON-RPC 2.0's generic codes, standing in for
    # CALLR's unknown ones: a client must treat ``code`` as opaque.
    400: -32602,  # invalid params
    401: AUTH_CODE_JSONRPC,
    404: -32602,  # an unknown hash is a bad ``id`` parameter
}
JSONRPC_PARSE_ERROR = -32700
JSONRPC_SERVER_ERROR = -32000
"""Every other status (403 ``FORBIDDEN``, 429, 5xx) in the ``jsonrpc`` variant."""
AUTH_FAILED = "AUTHENTICATION_FAILED"
FORBIDDEN = "FORBIDDEN"
JSON_PARSE_ERROR = "JSON_PARSE_ERROR"
_WWW_AUTHENTICATE = (("WWW-Authenticate", 'Basic realm="CALLR API"'),)
_PROXY_401_PAGE = (
    "<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n"
    "<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_PROXY_ERROR_PAGE = (
    "<html>\r\n<head><title>{status} Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>{status} Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def success(data: object) -> Reply:
    """HTTP 200 with ``{"status": "success", "data": ...}``."""
    return json_reply({"status": "success", "data": data})


def error(
    variants: CallrVariants,
    status: int,
    message: str,
    *,
    jsonrpc_code: int | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> Reply:
    """An HTTP error with ``{"status": "error", "data": {"code", "message"}}``.

    ``code`` is the HTTP status, or in the ``jsonrpc`` variant ``jsonrpc_code`` when given,
    else the status's entry of :data:`JSONRPC_CODES` (``-32000`` when it has none).
    """
    code = status
    if variants.error_codes == "jsonrpc":
        code = jsonrpc_code or JSONRPC_CODES.get(status, JSONRPC_SERVER_ERROR)
    payload = {"status": "error", "data": {"code": code, "message": message}}
    return json_reply(payload, status=status, headers=headers)


def auth_failure(variants: CallrVariants) -> Reply:
    """Answer missing or wrong credentials in the style the variants select."""
    match variants.auth_failure:
        case "json_403":
            return error(variants, 403, FORBIDDEN, jsonrpc_code=AUTH_CODE_JSONRPC)
        case "html_proxy":
            reply = text_reply(_PROXY_401_PAGE, status=401)
            return Reply(reply.status, reply.body, reply.content_type, _WWW_AUTHENTICATE)
        case _:
            return error(variants, 401, AUTH_FAILED, headers=_WWW_AUTHENTICATE)


def forbidden(variants: CallrVariants) -> Reply:
    """Answer a blocked account: 403 ``FORBIDDEN`` (a message the SDK tests show)."""
    return error(variants, 403, FORBIDDEN)


def fault_reply(fault: Fault, variants: CallrVariants) -> Reply | None:
    """Return the reply a fault puts in place of the real one, or ``None`` if it proceeds.

    ``status`` and ``rate_limit`` answer in the CALLR envelope (a ``body`` given to a status
    fault is served as is); ``html`` is an nginx page; ``malformed`` the shared PHP warning;
    ``invalid_key`` the configured authentication failure; ``expired`` a 403 ``FORBIDDEN``.
    """
    match fault.kind:
        case "status":
            status = fault.status or 500
            if fault.body is not None:
                return Reply(status, fault.body.encode(), fault.content_type)
            return error(variants, status, "INTERNAL_ERROR")
        case "rate_limit":
            retry_after = (("Retry-After", str(fault.retry_after)),)
            return error(variants, 429, "TOO_MANY_REQUESTS", headers=retry_after)
        case "html":
            status = fault.status or 502
            return text_reply(_PROXY_ERROR_PAGE.format(status=status), status=status)
        case "invalid_key":
            return auth_failure(variants)
        case "expired":
            return forbidden(variants)
        case _:
            return fault.canned_reply()
