"""Keep personal-link tokens out of the logs.

Django logs every 4xx with the request path ("Not Found: /s/<token>/"), and the web server's
access log has the path of every request (the first GET of a link is ``/s/<token>/``) and its
Referer: a dead or mistyped link would otherwise leave a working token's neighbours, or a
still-valid token, in the log. The filter is attached to Django's console handler
(settings.LOGGING) and to gunicorn's loggers (gunicorn.conf.py).
"""

import copy
import logging
import re
from collections.abc import Mapping

# A token is URL-safe base64; it ends where the path segment does (with or without the
# slash: "/s/<token>" is redirected, and logged, too). "/s/form/" is not a token.
_TOKEN_PATH = re.compile(r"/s/(?!form(?![\w-]))[\w-]{8,}(?![\w-])", re.ASCII)


# The SMS providers' push addresses end in the secret that authenticates them.
_CALLBACK_PATH = re.compile(r"(/sms/callbacks/[\w-]+/[\w-]+/)[^/\s\"?]+", re.ASCII)


# The first-contact desk's 回访 links (outreach.matters, /r/<token>/) rate a matter.
_FEEDBACK_PATH = re.compile(r"/r/[\w-]{8,}(?![\w-])", re.ASCII)


def redact(text: str) -> str:
    text = _FEEDBACK_PATH.sub("/r/…", _TOKEN_PATH.sub("/s/…", text))
    return _CALLBACK_PATH.sub(r"\1…", text)


def _redacted(value):
    return redact(value) if isinstance(value, str) else value


class RedactSelfServiceTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, Mapping):
            # gunicorn's access log: its atoms (request line "r", path "U", Referer "f", every
            # header and environ variable) as one mapping. A copy keeps its class, which answers
            # "-" for an atom the format names but the request lacks.
            args = copy.copy(record.args)
            for key, value in record.args.items():
                args[key] = _redacted(value)
            record.args = args
        elif record.args:
            record.args = tuple(_redacted(a) for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True
