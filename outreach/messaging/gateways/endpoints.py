"""A provider's endpoint setting: a host (``dysmsapi.aliyuncs.com``: HTTPS) or a URL with
its scheme and port (``http://127.0.0.1:8801``: the tests' local stand-in)."""

from urllib.parse import urlsplit


def split_endpoint(value: str) -> tuple[str, str]:
    """(protocol, host[:port]) of an endpoint setting."""
    if "://" not in value:
        return "https", value.strip().rstrip("/")
    parts = urlsplit(value.strip())
    return parts.scheme or "https", parts.netloc
