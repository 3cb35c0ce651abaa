"""The portal's log, written to the server's stderr also from inside a kernel.

Inside a Jupyter kernel ``sys.stderr`` is ipykernel's stream to the *browser* (which Voilà
drops): logging there would lose every reference shown to project teams. Its ``fileno()`` is a
copy of the kernel's original stderr, which the kernel inherited from the server, so a stream
on a duplicate of that descriptor reaches the server log (terminal or journal of
``impact portal``) and never the browser.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

__all__ = ["LOG_FORMAT", "log", "server_log"]

LOG_FORMAT = "[impact.portal] %(asctime)s %(levelname)s %(message)s"
log = logging.getLogger("impact.portal")


def _server_stderr() -> Any:
    """A text stream to the server process's stderr (see the module docstring)."""
    try:
        fd = os.dup(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):
        return sys.__stderr__
    return open(fd, "w", buffering=1, encoding="utf-8", errors="replace", closefd=True)  # noqa: SIM115


def server_log(stream: Any = None) -> logging.Logger:
    """Send the ``impact.portal`` log (sign-ins, submissions, refusals, and the details behind
    every error reference shown in the page) to ``stream``, by default the server's stderr.
    Idempotent: one handler, replaced when a stream is given."""
    for handler in [h for h in log.handlers if getattr(h, "_impact_server_log", False)]:
        if stream is None:
            return log
        log.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else _server_stderr())
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler._impact_server_log = True  # type: ignore[attr-defined]
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # never into the kernel's stderr, which goes to the browser
    return log
