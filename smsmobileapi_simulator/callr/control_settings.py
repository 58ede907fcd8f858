"""Reading variants and webhook settings from control payloads (``PATCH /_sim/...``)."""

from dataclasses import asdict

from smsmobileapi_simulator.control import ControlError, Payload

from .hooks import WebhookHub
from .model import AUTH_FAILURE_STYLES, ERROR_CODE_STYLES, CallrVariants, WebhookPolicy

_VARIANT_CHOICES: dict[str, tuple[str, ...]] = {
    "auth_failure": AUTH_FAILURE_STYLES,
    "error_codes": ERROR_CODE_STYLES,
}
_VARIANT_FLAGS = frozenset(
    {"list_newest_first", "echo_options", "legacy_push_fields", "strict_options", "accept_api_key"}
)
_UNKNOWN_HASH_STATUSES = (400, 404)
_POLICY_NUMBERS = frozenset({"backoff", "factor", "timeout"})


def variants_json(variants: CallrVariants) -> dict[str, object]:
    """Return the variants as a JSON object."""
    return asdict(variants)


def set_variants(variants: CallrVariants, payload: Payload) -> None:
    """Apply the members of a payload to the variants, refusing unknown names and bad values."""
    for name in payload.data:
        if name in _VARIANT_FLAGS:
            flag = payload.opt_bool(name)
            if flag is None:
                raise ControlError(f"{name} must be a boolean")
            setattr(variants, name, flag)
        elif name in _VARIANT_CHOICES:
            value = payload.opt_text(name)
            if value not in _VARIANT_CHOICES[name]:
                raise ControlError(f"{name} must be one of {list(_VARIANT_CHOICES[name])}")
            setattr(variants, name, value)
        elif name == "unknown_hash_status":
            status = payload.opt_int(name)
            if status not in _UNKNOWN_HASH_STATUSES:
                raise ControlError(f"{name} must be one of {list(_UNKNOWN_HASH_STATUSES)}")
            variants.unknown_hash_status = status
        elif name == "list_row_cap":
            cap = payload.opt_int(name)
            if cap is not None and cap < 1:
                raise ControlError(f"{name} must be at least 1 (or null for no cap)")
            variants.list_row_cap = cap
        else:
            raise ControlError(f"unknown variant {name}")


def policy_json(policy: WebhookPolicy) -> dict[str, object]:
    """Return the delivery policy as a JSON object."""
    return asdict(policy)


def set_policy(hub: WebhookHub, payload: Payload) -> None:
    """Apply delivery settings and plan forced delivery faults.

    ``max_tries``, ``backoff``, ``factor`` and ``timeout`` set the policy; ``duplicates`` and
    ``bad_signatures`` add that many forced duplicate deliveries or wrongly signed attempts.
    """
    policy = hub.policy
    for name in payload.data:
        if name in _POLICY_NUMBERS:
            value = payload.opt_float(name)
            if value is None or value < 0:
                raise ControlError(f"{name} must be a number of at least 0")
            setattr(policy, name, value)
        elif name == "max_tries":
            policy.max_tries = _count(payload, name, minimum=1)
        elif name == "duplicates":
            hub.force_duplicates(_count(payload, name))
        elif name == "bad_signatures":
            hub.force_bad_signatures(_count(payload, name))
        else:
            raise ControlError(f"unknown setting {name}")


def _count(payload: Payload, name: str, *, minimum: int = 0) -> int:
    count = payload.opt_int(name)
    if count is None or count < minimum:
        raise ControlError(f"{name} must be an integer of at least {minimum}")
    return count
