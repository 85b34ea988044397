"""The request log, off the request's hot path.

`SafetyMiddleware` writes one line per request to the `amina.requests` logger: method, route
template (`/verify/{token}`, never the concrete path or its query string), status and duration.
In a real server those records go through a `logging.handlers.QueueHandler` to a listener
thread that does the formatting and the writing, so a slow disk or a full pipe never holds a
request up. Uvicorn's own access log, which writes the full path and query, is off
(`amina serve`).
"""

from __future__ import annotations

import logging
import queue
import sys
from logging.handlers import QueueHandler, QueueListener

REQUEST_LOGGER = "amina.requests"
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

_listener: QueueListener | None = None


def start(level: str | int = logging.INFO) -> QueueListener:
    """Route `amina.requests` through a queue to stderr (idempotent within a process)."""
    global _listener
    if _listener is not None:
        return _listener
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    output = logging.StreamHandler(sys.stderr)
    output.setFormatter(logging.Formatter(FORMAT))
    logger = logging.getLogger(REQUEST_LOGGER)
    logger.setLevel(level)
    logger.addHandler(QueueHandler(records))
    logger.propagate = False
    _listener = QueueListener(records, output, respect_handler_level=False)
    _listener.start()
    return _listener


def stop() -> None:
    """Flush what is queued and stop the listener thread."""
    global _listener
    if _listener is None:
        return
    _listener.stop()
    logger = logging.getLogger(REQUEST_LOGGER)
    for handler in [h for h in logger.handlers if isinstance(h, QueueHandler)]:
        logger.removeHandler(handler)
    logger.propagate = True
    _listener = None
