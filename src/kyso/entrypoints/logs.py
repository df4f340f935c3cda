"""Logs as JSON lines (structlog over the standard library's logging), one per event.

Every line carries ``timestamp`` (UTC), ``level``, ``logger``, ``event`` and, inside a
request, its ``request_id`` (the ``X-Request-ID`` header of the answer), so the lines of one
request can be found across the workers and nodes.

No secret and no personal data: kyso logs identifiers (account, document and message ids),
never a name, a phone number, an email address, an ID number, a PIN, a code or a token; the
access line names the route's template, not its path or query. As a last guard the renderer
masks what looks like an email address, a run of nine or more digits (a phone or an ID
number) and a bearer token in any line.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, Literal, TextIO

import structlog

__all__ = ["configure_logging", "scrub"]

_MASKS = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "<email>"),
    (re.compile(r"(?i)bearer\s+[\w.~+/=-]+"), "Bearer <token>"),
    (re.compile(r"(?<![0-9A-Za-z])\+?\d{9,}(?![0-9A-Za-z])"), "<number>"),
)


# what every match of a mask contains ("@", "bearer" in any case, nine digits in a row): a
# text without any is left as it is after one search, not three substitutions (every field
# of every line, the access line of each request included, passes here)
_MAYBE = re.compile(r"@|(?i:bearer)|\d{9}")


def scrub(text: str) -> str:
    if _MAYBE.search(text) is None:
        return text
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    return text


def _scrub(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = scrub(value)
    return event


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a line is written (not when configured): a
    command run in process by a test harness swaps stderr and closes its stand-in after."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


def configure_logging(level: str = "INFO", fmt: Literal["json", "console"] = "json",
                      stream: TextIO | None = None) -> None:
    """Route every logger (kyso's, uvicorn's, libraries') through one structlog renderer."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    foreign = [*shared, structlog.stdlib.ExtraAdder()]  # logging's extra={...} as fields
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    renderer: Any = (structlog.processors.JSONRenderer(ensure_ascii=False) if fmt == "json"
                     else structlog.dev.ConsoleRenderer(colors=False))
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=foreign,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, _scrub, renderer],
    )
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.setFormatter(formatter)
    # A record's call site, thread and process are never rendered (the line is the event's
    # fields): not looking them up spares every record a walk up the stack and three
    # lookups (the logging HOWTO's "Optimization"), the access line of each request included.
    logging._srcfile = None  # the documented switch
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # uvicorn's own access line names the client's address, the path and the query (a
    # document's name, a support desk's or an RA officer's search, OAuth's state): never
    # written. The app writes its own (``api/observe.py``: the route's template). uvicorn
    # writes its line whenever its logger has a handler to reach, root's included
    # (``hasHandlers``), whatever ``access_log=False`` said when the server was configured,
    # so the logger reaches none.
    access = logging.getLogger("uvicorn.access")
    access.handlers, access.propagate = [], False
