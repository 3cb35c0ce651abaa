"""Browser sessions of the served apps: which browser opened which kernel, as whom, until when.

The server (:mod:`impact.apps.serving`) keeps a :class:`SessionRegistry` in memory. A session is
created when a browser signs in (portal) or first opens an app without sign-in (explorer); its
random id travels only in a signed, HttpOnly, SameSite=Strict cookie and in the environment of the
kernels started for it. Every kernel is bound to the session that opened it: websockets and kernel
API calls from another browser are refused. A session ends when it has been idle for ``idle``
seconds (page loads and messages from the browser count as activity), or on sign-out.

Kernels learn about their session from a small JSON file the server keeps current (mode 0600, in
the server's private state folder): :func:`kernel_session` reads it, so the kernel can refuse an
action once its session has ended, whatever the browser sends. The file is keyed by a hash of the
session id, never the id itself, and holds only what the app put into ``data``.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from impact.core.files import atomic_write_text

__all__ = ["SESSIONS_FILE_ENV", "SESSION_ENV", "KernelSession", "Session", "SessionRegistry", "kernel_session",
           "session_ref"]

SESSION_ENV = "IMPACT_SESSION"
SESSIONS_FILE_ENV = "IMPACT_SESSIONS"


def session_ref(session_id: str) -> str:
    """A short, non-secret name of a session (for logs and the kernels' file)."""
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()[:16]


@dataclass
class Session:
    """One browser's session. ``id`` is secret (cookie, kernel environment); ``ref`` is for logs."""

    id: str
    client: str
    created: float
    last_seen: float
    data: dict[str, Any] = field(default_factory=dict)
    kernels: list[str] = field(default_factory=list)  # oldest first
    persisted: float = 0.0

    @property
    def ref(self) -> str:
        return session_ref(self.id)


class SessionRegistry:
    """The sessions of one server process (see the module docstring).

    ``idle`` seconds without activity end a session; ``path`` is the kernels' view of the
    sessions (``None``: kept in memory only); at most ``max_sessions`` are kept (oldest first out).
    """

    def __init__(self, *, idle: float, path: Path | None = None, max_sessions: int = 10_000,
                 clock: Callable[[], float] = time.time) -> None:
        self.idle = float(idle)
        self.path = path
        self.max_sessions = max_sessions
        self.clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._owners: dict[str, str] = {}  # kernel id -> session id
        # the kernels' view may lag behind by this much (touches are written at most this often)
        self.slack = min(30.0, max(1.0, self.idle / 10))
        if path is not None:
            self.persist()

    # -- lifecycle ------------------------------------------------------------------------
    def create(self, client: str, data: Mapping[str, Any] | None = None) -> Session:
        now = self.clock()
        session = Session(id=secrets.token_urlsafe(32), client=client, created=now, last_seen=now,
                          data=dict(data or {}))
        self._sessions[session.id] = session
        while len(self._sessions) > self.max_sessions:
            self._sessions.popitem(last=False)
        self.persist()
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session with this id (``None``: unknown or idle for too long)."""
        session = self._sessions.get(session_id or "")
        if session is None or self.clock() - session.last_seen > self.idle:
            return None
        return session

    def touch(self, session: Session) -> None:
        """Activity: the session lives ``idle`` seconds from now (written for kernels now and then)."""
        session.last_seen = self.clock()
        self._sessions.move_to_end(session.id)
        if session.last_seen - session.persisted >= self.slack:
            self.persist()

    def end(self, session_id: str) -> Session | None:
        """End a session now (sign-out, revoked token). Returns it, with its kernels to shut down."""
        session = self._sessions.pop(session_id, None)
        if session is not None:
            for kernel_id in session.kernels:
                self._owners.pop(kernel_id, None)
            self.persist()
        return session

    def sweep(self) -> list[Session]:
        """End every session idle for longer than ``idle``; returns them (their kernels are to go)."""
        now = self.clock()
        gone = [s for s in self._sessions.values() if now - s.last_seen > self.idle]
        for session in gone:
            self._sessions.pop(session.id, None)
            for kernel_id in session.kernels:
                self._owners.pop(kernel_id, None)
        if gone:
            self.persist()
        return gone

    def sessions(self) -> list[Session]:
        return list(self._sessions.values())

    # -- kernels --------------------------------------------------------------------------
    def bind(self, session: Session, kernel_id: str) -> None:
        session.kernels.append(kernel_id)
        self._owners[kernel_id] = session.id

    def unbind(self, kernel_id: str) -> None:
        owner = self._sessions.get(self._owners.pop(kernel_id, ""))
        if owner is not None and kernel_id in owner.kernels:
            owner.kernels.remove(kernel_id)

    def owner(self, kernel_id: str) -> Session | None:
        """The live session that opened ``kernel_id`` (``None`` for a stranger's or a dead kernel)."""
        return self.get(self._owners.get(kernel_id))

    # -- the kernels' view ----------------------------------------------------------------
    def persist(self) -> None:
        """Write the kernels' view: ``{ref: {"expires_at": epoch seconds, "data": {...}}}``."""
        if self.path is None:
            return
        now = self.clock()
        view = {}
        for session in self._sessions.values():
            session.persisted = now
            view[session.ref] = {"expires_at": session.last_seen + self.idle + self.slack, "data": session.data}
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write_text(self.path, json.dumps(view, ensure_ascii=False), mode=0o600)


@dataclass(frozen=True)
class KernelSession:
    """The session a kernel was started for, as the kernel sees it (read-only)."""

    session_id: str
    path: Path
    clock: Callable[[], float] = time.time

    def data(self) -> dict[str, Any] | None:
        """What the app stored for this session, or ``None`` once it has ended or expired."""
        try:
            view = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        entry = view.get(session_ref(self.session_id)) if isinstance(view, dict) else None
        if not isinstance(entry, dict) or float(entry.get("expires_at", 0)) < self.clock():
            return None
        data = entry.get("data")
        return dict(data) if isinstance(data, dict) else {}


def kernel_session(environ: Mapping[str, str] | None = None) -> KernelSession | None:
    """The kernel's session from its environment (``None`` outside a served app, e.g. in papermill)."""
    env = os.environ if environ is None else environ
    session_id, path = env.get(SESSION_ENV), env.get(SESSIONS_FILE_ENV)
    if not session_id or not path:
        return None
    return KernelSession(session_id, Path(path))
