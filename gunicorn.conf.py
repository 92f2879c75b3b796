"""gunicorn's settings for the portal's web process (docker-compose's `web`, the image's CMD):
its logging only; the address and the number of workers are on the command line.

The access log records every request's path and Referer, and the first request of a
liaison's personal link is `/s/<token>/`: both gunicorn loggers go through the same filter as
Django's own log lines (outreach/selfservice/logs.py), which writes `/s/…/` instead. The
access log goes to stdout and the error log to stderr, as `--access-logfile -` would.
"""

_REDACT = "redact_selfservice_tokens"

# Merged by gunicorn over its CONFIG_DEFAULTS, one top-level key at a time: the handlers the
# root logger names ("console") must be here too.
logconfig_dict = {
    "filters": {_REDACT: {"()": "outreach.selfservice.logs.RedactSelfServiceTokens"}},
    "loggers": {
        "gunicorn.error": {
            "level": "INFO",
            "handlers": ["error_console"],
            "filters": [_REDACT],
            "propagate": False,
        },
        "gunicorn.access": {
            "level": "INFO",
            "handlers": ["access_console"],
            "filters": [_REDACT],
            "propagate": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "stream": "ext://sys.stdout",
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "stream": "ext://sys.stderr",
        },
        "access_console": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "stream": "ext://sys.stdout",
        },
    },
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
        # The access line is already formatted by gunicorn (access_log_format).
        "access": {"format": "%(message)s"},
    },
}
