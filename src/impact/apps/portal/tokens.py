"""Access tokens for the submission portal: issue, revoke, list and check them.

A token is a random string (``secrets.token_urlsafe(32)``, 256 bits) handed to one project
team. The token file (``data/portal/tokens.json`` unless the edge names another, env
``IMPACT_TOKENS``) stores only ``sha256(token)`` with a short public token id, the project,
creation time, optional expiry date, an optional note and the revocation time; the raw token is
shown once, when issued.

Why a plain SHA-256 and not scrypt/PBKDF2: slow key-derivation functions protect *low-entropy*
secrets (passwords a person chose) against offline guessing after the hash file leaks. A
256-bit random token cannot be guessed, slow or fast; a preimage search on SHA-256 is
infeasible. A fast hash keeps verification cheap and the file still reveals nothing usable.

The file is written with :func:`impact.core.files.atomic_write` (mode 0600) under the one lock
(:func:`impact.core.locking.exclusive_lock` on ``<file>.lock``, with a timeout), so concurrent
``issue``/``revoke`` calls cannot lose each other's changes. Failed attempts are limited per
client by :class:`impact.apps.portal.limiter.AttemptLimiter`; :func:`authenticate` joins both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from impact.apps.portal.limiter import AttemptLimiter
from impact.core.errors import EXIT_INVALID, EXIT_UNREADABLE, ImpactError
from impact.core.files import atomic_write_text
from impact.core.i18n import N_, format_date, texts
from impact.core.locking import exclusive_lock

__all__ = [
    "LOCK_TIMEOUT",
    "TOKENS_ENV",
    "TokenError",
    "TokenFileError",
    "TokenRecord",
    "TokenStore",
    "TooManyAttempts",
    "authenticate",
    "ensure_active",
    "hash_token",
    "tokens_path",
    "valid_token_id",
]

TOKENS_ENV = "IMPACT_TOKENS"
LOCK_TIMEOUT = 10.0  # seconds: issuing or revoking a token takes milliseconds
_HASH_PREFIX = "sha256:"
_ID_PATTERN = re.compile(r"^tok-[0-9a-f]{8}$")
# token_urlsafe output: base64url alphabet only; anything else is refused before hashing
_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,200}$")

# the texts of a refused token: one definition each, used by the sign-in page and the app alike
INVALID = N_("This access token is invalid.")
REVOKED = N_("This access token has been revoked. Please ask the evaluation unit for a new one.")
EXPIRED = N_("This access token expired on {date}. Please ask the evaluation unit for a new one.")
MISSING = N_("Please enter the access token.")


def tokens_path(root: Path, configured: str | Path | None = None) -> Path:
    """The token file: ``configured`` (an option or ``$IMPACT_TOKENS``, read at the edge), else
    ``<root>/data/portal/tokens.json``."""
    if configured:
        return Path(configured).expanduser().resolve()
    return root / "data" / "portal" / "tokens.json"


def hash_token(raw: str) -> str:
    """The stored form of a token: ``sha256:<hex>``."""
    return _HASH_PREFIX + hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _localised(value: Any, lang: str) -> Any:
    if isinstance(value, dt.date):
        return format_date(value, lang)
    return value


class TokenError(ImpactError):
    """A token was refused. ``code`` is stable: ``token_missing``, ``token_malformed``,
    ``token_unknown``, ``token_revoked``, ``token_expired``, ``too_many_attempts``,
    ``unknown_token_id``, ``unknown_project``, ``bad_expiry``.

    ``text`` is an English message id (marked with ``N_``) with ``str.format`` fields; dates
    among the fields are formatted in the reader's language.
    """

    exit_code = EXIT_INVALID

    def __init__(self, code: str, text: str, /, **fields: Any) -> None:
        self.code = code
        self.text = text
        self.fields = fields
        super().__init__(self.message("en"))

    def message(self, lang: str = "de") -> str:
        _ = texts(lang)
        return _(self.text, **{k: _localised(v, lang) for k, v in self.fields.items()})


class TokenFileError(ImpactError):
    """The token file exists but cannot be read or parsed (exit code 2)."""

    exit_code = EXIT_UNREADABLE

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {detail}")

    def message(self, lang: str = "de") -> str:
        _ = texts(lang)
        return _("The token file {path} cannot be read: {detail}", path=self.path, detail=self.detail)


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


def ensure_active(record: TokenRecord, today: dt.date) -> TokenRecord:
    """``record`` if it is valid on ``today``, else the :class:`TokenError` that says why."""
    status = record.status(today)
    if status == "revoked":
        raise TokenError("token_revoked", REVOKED)
    if status == "expired":
        raise TokenError("token_expired", EXPIRED, date=record.expires_date)
    return record


def _utc_now(now: dt.datetime | None = None) -> str:
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


class TokenStore:
    """The token file: issue, revoke, list and verify tokens."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser().resolve()

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

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
        doc = {"version": 1, "tokens": [asdict(r) for r in records]}
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write_text(self.path, json.dumps(doc, ensure_ascii=False, indent=2) + "\n", mode=0o600)

    # -- administration --------------------------------------------------------------------
    def issue(self, project: str, *, today: dt.date, expires: dt.date | None = None, note: str | None = None,
              now: dt.datetime | None = None) -> tuple[TokenRecord, str]:
        """Create a token for ``project``; returns the record and the raw token (shown once).

        ``expires`` must not lie before ``today``. The caller checks that the project exists.
        """
        if expires is not None and expires < today:
            raise TokenError("bad_expiry", N_("The expiry date {date} lies in the past."), date=expires)
        raw = secrets.token_urlsafe(32)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with exclusive_lock(self.lock_path, timeout=LOCK_TIMEOUT):
            records = self.records()
            taken = {r.id for r in records}
            token_id = f"tok-{secrets.token_hex(4)}"
            while token_id in taken:  # pragma: no cover - 1 in 4 billion
                token_id = f"tok-{secrets.token_hex(4)}"
            record = TokenRecord(id=token_id, project=project, hash=hash_token(raw), created_at=_utc_now(now),
                                 expires=expires.isoformat() if expires else None, note=note)
            self._write([*records, record])
        return record, raw

    def revoke(self, token_id: str, *, now: dt.datetime | None = None) -> TokenRecord:
        """Mark ``token_id`` revoked (idempotent); unknown ids raise ``unknown_token_id``."""
        if self.path.exists():
            with exclusive_lock(self.lock_path, timeout=LOCK_TIMEOUT):
                records = self.records()
                for i, rec in enumerate(records):
                    if rec.id == token_id:
                        if rec.revoked_at:
                            return rec
                        records[i] = replace(rec, revoked_at=_utc_now(now))
                        self._write(records)
                        return records[i]
        raise TokenError("unknown_token_id", N_("Unknown token id: {token_id}"), token_id=token_id)

    # -- checking --------------------------------------------------------------------------
    def verify(self, raw: str, *, today: dt.date) -> TokenRecord:
        """The record of a valid token, else :class:`TokenError`.

        Every stored hash is compared with ``hmac.compare_digest`` (no early exit), so the time
        taken does not depend on how much of a hash matched.
        """
        raw = (raw or "").strip()
        if not raw:
            raise TokenError("token_missing", MISSING)
        if not _TOKEN_PATTERN.match(raw):
            raise TokenError("token_malformed", INVALID)
        digest = hash_token(raw).encode("ascii")
        found: TokenRecord | None = None
        for rec in self.records():
            if hmac.compare_digest(rec.hash.encode("ascii"), digest):
                found = rec
        if found is None:
            raise TokenError("token_unknown", INVALID)
        return ensure_active(found, today)

    def active(self, token_id: str, *, today: dt.date) -> TokenRecord:
        """The record of ``token_id`` if it is still valid (re-checked before every submission)."""
        for rec in self.records():
            if rec.id == token_id:
                return ensure_active(rec, today)
        raise TokenError("token_unknown", INVALID)


def valid_token_id(text: str) -> bool:
    """Whether ``text`` looks like a token id (``tok-`` and 8 hex digits)."""
    return bool(_ID_PATTERN.match(text))


class TooManyAttempts(TokenError):
    """The refusal shown while a client is locked out (``too_many_attempts``), in whole minutes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.minutes = max(1, int(seconds // 60 + (1 if seconds % 60 else 0)))
        super().__init__("too_many_attempts", "")

    def message(self, lang: str = "de") -> str:
        _ = texts(lang)
        return _.ngettext("Too many failed attempts. Please try again in {n} minute.",
                          "Too many failed attempts. Please try again in {n} minutes.", self.minutes)


def authenticate(store: TokenStore, limiter: AttemptLimiter, raw: str, *, client: str,
                 today: dt.date) -> TokenRecord:
    """Check a token under the rate limit of ``client``: refused while that client is locked
    out, failures counted for that client only (never for everybody).

    An empty entry is refused (``token_missing``) without counting as a failed attempt.
    """
    wait = limiter.wait_seconds(client)
    if wait > 0:
        raise TooManyAttempts(wait)
    try:
        record = store.verify(raw, today=today)
    except TokenError as exc:
        if exc.code in ("token_malformed", "token_unknown"):
            wait = limiter.record_failure(client)
            if wait > 0:
                raise TooManyAttempts(wait) from None
        raise
    limiter.record_success(client)
    return record
