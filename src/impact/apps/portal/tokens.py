"""Access tokens for the submission portal, and a limiter for failed token attempts.

A token is a random string (``secrets.token_urlsafe(32)``, 256 bits) handed to one project
team. The token file (default ``data/portal/tokens.json``, env ``IMPACT_TOKENS``) stores only
``sha256(token)`` with a short public token id, the project, creation time, optional expiry
date, an optional note and the revocation time; the raw token is shown once, when issued.

Why a plain SHA-256 and not scrypt/PBKDF2: slow key-derivation functions protect *low-entropy*
secrets (passwords a person chose) against offline guessing after the hash file leaks. A
256-bit random token cannot be guessed, slow or fast; a preimage search on SHA-256 is
infeasible. A fast hash keeps verification cheap and the file still reveals nothing usable.

The file is written atomically (temp file in the same directory, fsync, rename) with mode
0600, under an exclusive ``fcntl`` lock on ``<file>.lock`` so concurrent ``issue``/``revoke``
calls cannot lose each other's changes.

:class:`AttemptLimiter` counts failed token attempts per client key (one key for the whole
portal unless a trusted proxy header names the client). After ``max_failures`` failures
within ``window`` seconds, further attempts are refused for ``lockout`` seconds. Its state is a
small JSON file shared by all kernels of one portal process (every browser tab runs its own
kernel), or memory when no file is given.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from impact.core.config import settings
from impact.core.errors import EXIT_INVALID, EXIT_UNREADABLE, ImpactError

__all__ = [
    "AttemptLimiter",
    "TokenError",
    "TokenFileError",
    "TokenRecord",
    "TokenStore",
    "authenticate",
    "default_tokens_path",
    "hash_token",
    "too_many_attempts",
    "valid_token_id",
]

_HASH_PREFIX = "sha256:"
_ID_PATTERN = re.compile(r"^tok-[0-9a-f]{8}$")
# token_urlsafe output: base64url alphabet only; anything else is refused before hashing
_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,200}$")


def default_tokens_path() -> Path:
    """``$IMPACT_TOKENS``, else ``<root>/data/portal/tokens.json``."""
    env = os.environ.get("IMPACT_TOKENS")
    if env:
        return Path(env).expanduser().resolve()
    return settings().root / "data" / "portal" / "tokens.json"


def hash_token(raw: str) -> str:
    """The stored form of a token: ``sha256:<hex>``."""
    return _HASH_PREFIX + hashlib.sha256(raw.encode("utf-8")).hexdigest()


class TokenError(ImpactError):
    """A token was refused. ``code`` is stable: ``token_missing``, ``token_malformed``,
    ``token_unknown``, ``token_revoked``, ``token_expired``, ``token_wrong_project``,
    ``too_many_attempts``, ``unknown_token_id``, ``unknown_project``, ``bad_expiry``."""

    exit_code = EXIT_INVALID

    def __init__(self, code: str, message_de: str, message_en: str) -> None:
        self.code = code
        self.message_de = message_de
        self.message_en = message_en
        super().__init__(message_en)

    def message(self, lang: str = "de") -> str:
        return self.message_en if lang == "en" else self.message_de


class TokenFileError(ImpactError):
    """The token file exists but cannot be read or parsed (exit code 2)."""

    exit_code = EXIT_UNREADABLE

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {detail}")

    def message(self, lang: str = "de") -> str:
        if lang == "en":
            return f"Token file {self.path} cannot be read: {self.detail}"
        return f"Token-Datei {self.path} ist nicht lesbar: {self.detail}"


@dataclass(frozen=True)
class TokenRecord:
    """What the token file keeps about one token (never the token itself)."""

    id: str
    project: str
    hash: str
    created_at: str  # ISO UTC timestamp
    expires: str | None = None  # ISO date; valid up to and including this day
    note: str | None = None
    revoked_at: str | None = None

    @property
    def expires_date(self) -> dt.date | None:
        return dt.date.fromisoformat(self.expires) if self.expires else None

    def status(self, today: dt.date) -> str:
        """``active``, ``revoked`` or ``expired`` on ``today``."""
        if self.revoked_at:
            return "revoked"
        exp = self.expires_date
        if exp is not None and today > exp:
            return "expired"
        return "active"

    def public(self, today: dt.date) -> dict[str, Any]:
        """The listing form: everything except the hash."""
        data = asdict(self)
        del data["hash"]
        data["status"] = self.status(today)
        return data


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(str(path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _atomic_write_json(path: Path, data: Any) -> None:
    """Write JSON to ``path`` atomically with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class TokenStore:
    """The token file: issue, revoke, list and verify tokens."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser().resolve() if path else default_tokens_path()

    # -- reading and writing ---------------------------------------------------------------
    def records(self) -> list[TokenRecord]:
        """All records in the file (an absent file means no tokens)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise TokenFileError(self.path, exc.strerror or str(exc)) from None
        try:
            doc = json.loads(text)
            return [TokenRecord(**item) for item in doc["tokens"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise TokenFileError(self.path, f"not a token file ({type(exc).__name__}: {exc})") from None

    def _write(self, records: list[TokenRecord]) -> None:
        _atomic_write_json(self.path, {"version": 1, "tokens": [asdict(r) for r in records]})

    # -- administration --------------------------------------------------------------------
    def issue(self, project: str, *, expires: dt.date | None = None, note: str | None = None,
              today: dt.date | None = None) -> tuple[TokenRecord, str]:
        """Create a token for ``project``; returns the record and the raw token (shown once).

        ``expires`` must not lie before ``today``. The caller checks that the project exists.
        """
        today = today or settings().today
        if expires is not None and expires < today:
            raise TokenError("bad_expiry",
                             f"Ablaufdatum {expires.isoformat()} liegt in der Vergangenheit.",
                             f"Expiry date {expires.isoformat()} lies in the past.")
        raw = secrets.token_urlsafe(32)
        with _locked(self.path):
            records = self.records()
            known = {r.id for r in records}
            token_id = "tok-" + secrets.token_hex(4)
            while token_id in known:
                token_id = "tok-" + secrets.token_hex(4)
            record = TokenRecord(id=token_id, project=project, hash=hash_token(raw), created_at=_utc_now(),
                                 expires=expires.isoformat() if expires else None, note=note or None)
            self._write([*records, record])
        return record, raw

    def revoke(self, token_id: str) -> TokenRecord:
        """Mark a token revoked (the record stays, for the audit trail). Idempotent."""
        with _locked(self.path):
            records = self.records()
            for i, rec in enumerate(records):
                if rec.id == token_id:
                    if rec.revoked_at:
                        return rec
                    records[i] = replace(rec, revoked_at=_utc_now())
                    self._write(records)
                    return records[i]
        raise TokenError("unknown_token_id", f"Unbekannte Token-ID: {token_id}", f"Unknown token id: {token_id}")

    # -- checking --------------------------------------------------------------------------
    def verify(self, raw: str, *, today: dt.date | None = None, project: str | None = None) -> TokenRecord:
        """The record of a valid token, else :class:`TokenError`.

        Every stored hash is compared with ``hmac.compare_digest`` (no early exit), so the time
        taken does not depend on how much of a hash matched. ``project``, when given, must be the
        token's project.
        """
        today = today or settings().today
        raw = (raw or "").strip()
        if not raw:
            raise TokenError("token_missing", "Bitte den Zugangscode eingeben.", "Please enter the access token.")
        if not _TOKEN_PATTERN.match(raw):
            raise TokenError("token_malformed", "Dieser Zugangscode ist ungültig.", "This access token is invalid.")
        digest = hash_token(raw)
        found: TokenRecord | None = None
        for rec in self.records():
            if hmac.compare_digest(rec.hash.encode("ascii"), digest.encode("ascii")):
                found = rec
        if found is None:
            raise TokenError("token_unknown", "Dieser Zugangscode ist ungültig.", "This access token is invalid.")
        status = found.status(today)
        if status == "revoked":
            raise TokenError("token_revoked",
                             "Dieser Zugangscode wurde widerrufen. Bitte bei der Evaluationsstelle einen neuen anfordern.",
                             "This access token has been revoked. Please ask the evaluation unit for a new one.")
        if status == "expired":
            raise TokenError("token_expired",
                             f"Dieser Zugangscode ist am {found.expires} abgelaufen. Bitte einen neuen anfordern.",
                             f"This access token expired on {found.expires}. Please ask for a new one.")
        if project is not None and found.project != project:
            raise TokenError("token_wrong_project",
                             f"Dieser Zugangscode gilt nicht für das Projekt „{project}“.",
                             f"This access token is not valid for project '{project}'.")
        return found


def valid_token_id(text: str) -> bool:
    """Whether ``text`` looks like a token id (``tok-`` and 8 hex digits)."""
    return bool(_ID_PATTERN.match(text))


class AttemptLimiter:
    """Refuse token attempts after too many failures.

    ``max_failures`` failures by one client key within ``window`` seconds lock that key for
    ``lockout`` seconds. Attempts during a lockout are refused without looking at the token and
    do not extend it. ``path`` = shared JSON state (locked with ``fcntl``); ``None`` = memory.
    """

    def __init__(self, path: str | Path | None = None, *, max_failures: int = 5, window: float = 600.0,
                 lockout: float = 600.0, clock: Any = time.time) -> None:
        self.path = Path(path) if path else None
        self.max_failures = max_failures
        self.window = window
        self.lockout = lockout
        self.clock = clock
        self._memory: dict[str, Any] = {}

    @contextlib.contextmanager
    def _state(self) -> Iterator[dict[str, Any]]:
        if self.path is None:
            yield self._memory
            return
        with _locked(self.path):
            try:
                state = json.loads(self.path.read_text(encoding="utf-8"))
                if not isinstance(state, dict):
                    state = {}
            except (OSError, ValueError):
                state = {}
            yield state
            _atomic_write_json(self.path, state)

    def _prune(self, entry: dict[str, Any], now: float) -> dict[str, Any]:
        fails = [t for t in entry.get("failures", []) if now - t < self.window]
        locked = entry.get("locked_until", 0.0)
        return {"failures": fails, "locked_until": locked if locked > now else 0.0}

    def wait_seconds(self, key: str = "*") -> float:
        """Seconds until ``key`` may try again (0 = now)."""
        now = self.clock()
        with self._state() as state:
            entry = self._prune(state.get(key, {}), now)
            state[key] = entry
            return max(0.0, entry["locked_until"] - now)

    def record_failure(self, key: str = "*") -> float:
        """Count a failure; returns the lockout that starts now (0 if none)."""
        now = self.clock()
        with self._state() as state:
            entry = self._prune(state.get(key, {}), now)
            entry["failures"].append(now)
            if len(entry["failures"]) >= self.max_failures:
                entry["locked_until"] = now + self.lockout
                entry["failures"] = []
            state[key] = entry
            return max(0.0, entry["locked_until"] - now)


def too_many_attempts(seconds: float) -> TokenError:
    """The refusal shown while a client is locked out."""
    minutes = max(1, int(seconds // 60 + (1 if seconds % 60 else 0)))
    return TokenError("too_many_attempts",
                      f"Zu viele fehlgeschlagene Versuche. Bitte in {minutes} Minute(n) erneut versuchen.",
                      f"Too many failed attempts. Please try again in {minutes} minute(s).")


def authenticate(store: TokenStore, limiter: AttemptLimiter, raw: str, *, client: str = "*",
                 today: dt.date | None = None) -> TokenRecord:
    """Check a token under the rate limit: refused while locked out, failures counted.

    An empty entry is refused (``token_missing``) without counting as a failed attempt.
    """
    wait = limiter.wait_seconds(client)
    if wait > 0:
        raise too_many_attempts(wait)
    try:
        return store.verify(raw, today=today)
    except TokenError as exc:
        if exc.code != "token_missing":
            wait = limiter.record_failure(client)
            if wait > 0:
                raise too_many_attempts(wait) from None
        raise
