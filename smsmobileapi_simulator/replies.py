"""HTTP replies of the simulated API, independent of the web framework."""

from dataclasses import dataclass
import json

type Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Reply:
    """A complete HTTP answer: status, raw body, content type and extra headers."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: Headers = ()


def json_reply(payload: object, *, status: int = 200, headers: Headers = ()) -> Reply:
    """Answer with compact JSON, as PHP's ``json_encode`` writes it."""
    return Reply(status, json.dumps(payload, separators=(",", ":")).encode(), headers=headers)


def text_reply(text: str, *, status: int = 200, content_type: str = "text/html") -> Reply:
    """Answer with a text or HTML body."""
    return Reply(status, text.encode(), content_type)


def sms_result(**fields: object) -> Reply:
    """Answer in the SMS endpoints' envelope ``{"result": {...}}``."""
    return json_reply({"result": fields})


def sms_error(code: str | int, message: str, *, status: int = 200) -> Reply:
    """Answer an SMS endpoint's application error inside ``result``."""
    return json_reply({"result": {"error": code, "message": message}}, status=status)


def bad_request(name: str) -> Reply:
    """Answer a missing or invalid parameter as the OpenAPI file documents it.

    HTTP 400 ``BadRequest`` ("Missing or invalid parameter.") with the ``ErrorResponse`` model
    ``{"error": <string|integer>, "message": ...}``; the code is the status (the file names
    none), as in the rate-limit answer.
    """
    return json_reply(
        {"error": 400, "message": f"Missing or invalid parameter: {name}"}, status=400
    )


def missing_sms_param(name: str) -> Reply:
    """Answer an SMS endpoint's missing required parameter (an invented answer: see ``Checks``)."""
    return sms_error(f"missing_{name}", f"Missing required parameter: {name}")


def invalid_sms_param(name: str, detail: str) -> Reply:
    """Answer an SMS endpoint's invalid parameter value (an invented answer: see ``Checks``)."""
    return sms_error(f"invalid_{name}", f"Invalid value for {name}: {detail}")


def success_error(message: str, *, status: int = 400) -> Reply:
    """Answer in the ``{"success": false, "error": ...}`` shape."""
    return json_reply({"success": False, "error": message}, status=status)
