"""Read settings from the environment, failing loudly on a value that cannot be right.

A typo in a deployment's environment (``DEBUG=ture``, ``EMAIL_PORT=25s``) must stop the
process at start-up with the variable named, not run quietly with a default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_MISSING = object()


def env_str(name: str, default: str | object = _MISSING) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is _MISSING:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default  # type: ignore[return-value]
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a yes/no value (use 1/0, true/false).")


def env_int(name: str, default: int, *, minimum: int | None = None, why: str = "") -> int:
    """A whole number; with ``minimum``, one that may not go below it (``why``: the reason,
    a law's floor, named in the error)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        reason = f": {why}" if why else "."
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}{reason}")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


_LOCKOUT_NAMES = {"username", "ip_address", "user_agent"}


def lockout_parameters(value: str) -> list[str | list[str]]:
    """django-axes' AXES_LOCKOUT_PARAMETERS from ``LOGIN_LOCKOUT_BY``: comma-separated things
    that each lock on their own; ``a+b`` locks only that combination (``username+ip_address``:
    that account from that address)."""
    parameters: list[str | list[str]] = []
    for item in (part.strip() for part in value.split(",")):
        names = [name.strip() for name in item.split("+") if name.strip()]
        if not names or not set(names) <= _LOCKOUT_NAMES:
            raise ImproperlyConfigured(
                f"LOGIN_LOCKOUT_BY={value!r}: use {', '.join(sorted(_LOCKOUT_NAMES))}, "
                "separated by commas, or joined by + for a combination."
            )
        parameters.append(names[0] if len(names) == 1 else names)
    return parameters
