"""Keep personal-link tokens out of the logs.

Django logs every 4xx with the request path ("Not Found: /s/<token>/"); a dead or mistyped
link would otherwise leave a working token's neighbours, or a still-valid token, in the log.
"""

import logging
import re

_TOKEN_PATH = re.compile(r"/s/(?!form/)[A-Za-z0-9_-]{8,}/")


def redact(text: str) -> str:
    return _TOKEN_PATH.sub("/s/…/", text)


class RedactSelfServiceTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True
