"""How errors reach an operator: JSON log lines in production, and Sentry when SENTRY_DSN is set.

Imported by settings and by gunicorn.conf.py, so it imports nothing from Django at module level.

The JSON formatter is the standard library's `logging.Formatter` with `format` replaced: the
fields are few and fixed, so python-json-logger would be a dependency for twenty lines.

Sentry gets no personal data (PRODUCT: the network stays with its owner): no user, cookies,
headers, query strings, request bodies or local variables of stack frames; what remains is the
exception's type, message and stack, the method and path, and the log lines before it.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sentry_sdk._types import Event, Hint


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and, when there is one, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # json.dumps escapes the newlines of a traceback, so a record stays one line.
        return json.dumps(entry, ensure_ascii=False)


def logging_config(*, json_lines: bool, level: str) -> dict[str, Any]:
    """`LOGGING` for settings: every record through the root logger to stderr."""
    formatter: dict[str, Any] = (
        {"()": "netzwerk.observability.JsonFormatter"}
        if json_lines
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"console": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "console"}},
        "root": {"handlers": ["console"], "level": level},
    }


# What of a request an event keeps: the rest (data, cookies, headers, query_string, env) can
# name people, e.g. a search's `?q=Müller` or a form's fields.
KEPT_REQUEST_FIELDS = ("method", "url")


def scrub(event: Event, hint: Hint) -> Event:
    """Sentry's before_send: drops what the options alone would still send."""
    request = event.get("request")
    if request is not None:
        kept: dict[str, Any] = {key: request[key] for key in KEPT_REQUEST_FIELDS if key in request}
        if isinstance(kept.get("url"), str):
            kept["url"] = kept["url"].split("?", 1)[0]
        event["request"] = kept
    job = event.get("extra", {}).get("celery-job")
    if isinstance(job, dict):
        # A task's arguments are ids today; keep them out anyway, a later task may take an e-mail.
        event["extra"]["celery-job"] = {"task_name": job.get("task_name")}
    event.pop("user", None)
    return event


def init_sentry(dsn: str) -> None:
    """Reports unhandled errors of web requests and Celery tasks, and ERROR log records."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,  # frames' variables hold contacts, notes, e-mail addresses
        max_request_body_size="never",
        before_send=scrub,
        # Environment and release come from SENTRY_ENVIRONMENT and SENTRY_RELEASE; no tracing.
    )
