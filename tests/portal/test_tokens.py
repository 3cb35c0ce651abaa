"""The token model: only hashes stored, revoke, expiry, one lock with a timeout, per-client limits."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import stat
from pathlib import Path

import pytest

from impact.apps.portal.limiter import AttemptLimiter
from impact.apps.portal.tokens import (
    TokenError,
    TokenFileError,
    TokenStore,
    authenticate,
    ensure_active,
    hash_token,
)
from impact.core.locking import LockBusyError, exclusive_lock

from .conftest import FakeClock

TODAY = dt.date(2026, 11, 21)


@pytest.fixture()
def store(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / "portal" / "tokens.json")


def test_issue_stores_only_the_hash(store: TokenStore) -> None:
    record, raw = store.issue("kiezbox", note="Team Kiezbox", today=TODAY)
    text = store.path.read_text(encoding="utf-8")
    assert raw not in text
    assert len(raw) >= 43  # 32 random bytes, base64url
    assert record.hash == "sha256:" + hashlib.sha256(raw.encode()).hexdigest()
    assert record.hash in text
    doc = json.loads(text)
    assert doc["tokens"][0]["id"] == record.id and doc["tokens"][0]["project"] == "kiezbox"
    assert set(doc["tokens"][0]) == {"id", "project", "hash", "created_at", "expires", "note", "revoked_at"}
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert [p.name for p in store.path.parent.iterdir()] == ["tokens.json", "tokens.json.lock"]  # no temporaries


def test_tokens_are_random_and_ids_distinct(store: TokenStore) -> None:
    issued = [store.issue("kiezbox", today=TODAY) for _ in range(5)]
    assert len({raw for _, raw in issued}) == 5
    assert len({rec.id for rec, _ in issued}) == 5
    assert [r.id for r in store.records()] == [rec.id for rec, _ in issued]


def test_verify_valid_unknown_malformed(store: TokenStore) -> None:
    record, raw = store.issue("kiezbox", today=TODAY)
    assert store.verify(raw, today=TODAY).id == record.id
    assert store.verify(f"  {raw}\n", today=TODAY).id == record.id  # pasted with whitespace
    with pytest.raises(TokenError) as exc:
        store.verify(raw[:-1] + ("A" if raw[-1] != "A" else "B"), today=TODAY)
    assert exc.value.code == "token_unknown"
    assert "ungültig" in exc.value.message("de") and "invalid" in exc.value.message("en")
    with pytest.raises(TokenError) as exc:
        store.verify("<script>alert(1)</script>", today=TODAY)
    assert exc.value.code == "token_malformed"
    with pytest.raises(TokenError) as exc:
        store.verify("   ", today=TODAY)
    assert exc.value.code == "token_missing"
    with pytest.raises(TokenError) as exc:
        store.verify(hash_token(raw), today=TODAY)  # the stored hash is not a token
    assert exc.value.code in ("token_malformed", "token_unknown")


def test_revoke(store: TokenStore) -> None:
    record, raw = store.issue("kiezbox", today=TODAY)
    other, other_raw = store.issue("smart-water", today=TODAY)
    revoked = store.revoke(record.id)
    assert revoked.revoked_at
    with pytest.raises(TokenError) as exc:
        store.verify(raw, today=TODAY)
    assert exc.value.code == "token_revoked"
    assert "widerrufen" in exc.value.message("de") and "revoked" in exc.value.message("en")
    assert store.verify(other_raw, today=TODAY).id == other.id  # others unaffected
    assert store.revoke(record.id).revoked_at == revoked.revoked_at  # idempotent
    with pytest.raises(TokenError) as exc:
        store.revoke("tok-00000000")
    assert exc.value.code == "unknown_token_id"
    assert [r.status(TODAY) for r in store.records()] == ["revoked", "active"]


def test_expiry_inclusive_last_day(store: TokenStore) -> None:
    record, raw = store.issue("kiezbox", expires=TODAY, today=TODAY)
    assert store.verify(raw, today=TODAY).id == record.id
    with pytest.raises(TokenError) as exc:
        store.verify(raw, today=TODAY + dt.timedelta(days=1))
    assert exc.value.code == "token_expired"
    assert exc.value.message("en") == ("This access token expired on 21 Nov 2026. "
                                       "Please ask the evaluation unit for a new one.")
    assert exc.value.message("de") == ("Dieser Zugangscode ist am 21.11.2026 abgelaufen. "
                                       "Bitte bei der Evaluationsstelle einen neuen anfordern.")
    with pytest.raises(TokenError) as exc:
        store.issue("kiezbox", expires=TODAY - dt.timedelta(days=1), today=TODAY)
    assert exc.value.code == "bad_expiry"


def test_one_expiry_text_at_sign_in_and_after(store: TokenStore) -> None:
    """The first version had two copies of this text; the portal's had lost its second sentence.
    Now sign-in (verify) and the re-check before a submission (active) raise the same error."""
    record, raw = store.issue("kiezbox", expires=TODAY, today=TODAY)
    later = TODAY + dt.timedelta(days=1)
    with pytest.raises(TokenError) as at_sign_in:
        store.verify(raw, today=later)
    with pytest.raises(TokenError) as before_submit:
        store.active(record.id, today=later)
    with pytest.raises(TokenError) as direct:
        ensure_active(record, later)
    for lang in ("de", "en"):
        texts = {e.value.message(lang) for e in (at_sign_in, before_submit, direct)}
        assert len(texts) == 1 and texts.pop().count(".") >= 2  # both sentences, every time


def test_lock_has_a_timeout(store: TokenStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first version's token lock waited forever; now a held lock means a clear "busy" (exit 3)."""
    monkeypatch.setattr("impact.apps.portal.tokens.LOCK_TIMEOUT", 0.3)
    store.issue("kiezbox", today=TODAY)
    with exclusive_lock(store.lock_path, timeout=1):
        with pytest.raises(LockBusyError) as exc:
            store.issue("kiezbox", today=TODAY)
    assert exc.value.exit_code == 3
    assert len(store.records()) == 1


def test_public_listing_hides_hash(store: TokenStore) -> None:
    record, raw = store.issue("kiezbox", note="n", today=TODAY)
    public = record.public(TODAY)
    assert "hash" not in public and raw not in json.dumps(public)
    assert public["status"] == "active"


def test_damaged_token_file(store: TokenStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{not json", encoding="utf-8")
    with pytest.raises(TokenFileError) as exc:
        store.records()
    assert str(store.path) in exc.value.message("en") and "Token-Datei" in exc.value.message("de")
    assert exc.value.exit_code == 2


def test_missing_file_means_no_tokens(store: TokenStore) -> None:
    assert store.records() == []
    with pytest.raises(TokenError) as exc:
        store.verify("a" * 43, today=TODAY)
    assert exc.value.code == "token_unknown"


def _issue_many(path: str, n: int) -> None:
    s = TokenStore(path)
    for _ in range(n):
        s.issue("kiezbox", today=TODAY)


def test_concurrent_issues_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "tokens.json")
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_issue_many, args=(path, 15)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert len(TokenStore(path).records()) == 30


# -- sign-in under the per-client limit ------------------------------------------------------

def test_authenticate_refuses_even_the_right_token_of_a_locked_client(store: TokenStore) -> None:
    _, raw = store.issue("kiezbox", today=TODAY)
    clock = FakeClock()
    lim = AttemptLimiter(clock=clock)
    codes = []
    for _ in range(5):
        with pytest.raises(TokenError) as exc:
            authenticate(store, lim, "x" * 43, client="10.0.0.9", today=TODAY)
        codes.append(exc.value.code)
    assert codes == ["token_unknown"] * 4 + ["too_many_attempts"]
    with pytest.raises(TokenError) as exc:
        authenticate(store, lim, raw, client="10.0.0.9", today=TODAY)
    assert exc.value.code == "too_many_attempts"
    assert exc.value.message("de") == "Zu viele fehlgeschlagene Versuche. Bitte in 1 Minute erneut versuchen."
    assert exc.value.message("en") == "Too many failed attempts. Please try again in 1 minute."
    clock.now += 61
    assert authenticate(store, lim, raw, client="10.0.0.9", today=TODAY).project == "kiezbox"


def test_an_attackers_failures_never_lock_out_another_client(store: TokenStore) -> None:
    """The first version counted failures for the whole portal: five wrong tokens from anyone
    blocked every team for ten minutes."""
    _, raw = store.issue("kiezbox", today=TODAY)
    lim = AttemptLimiter(clock=FakeClock())
    for _ in range(50):
        with pytest.raises(TokenError):
            authenticate(store, lim, "x" * 43, client="203.0.113.66", today=TODAY)
    assert authenticate(store, lim, raw, client="198.51.100.7", today=TODAY).project == "kiezbox"


def test_empty_entry_and_expired_token_are_not_counted(store: TokenStore) -> None:
    record, raw = store.issue("kiezbox", expires=TODAY, today=TODAY)
    lim = AttemptLimiter(clock=FakeClock())
    for _ in range(10):
        with pytest.raises(TokenError) as exc:
            authenticate(store, lim, "", client="c", today=TODAY)
        assert exc.value.code == "token_missing"
        with pytest.raises(TokenError) as exc:
            authenticate(store, lim, raw, client="c", today=TODAY + dt.timedelta(days=1))
        assert exc.value.code == "token_expired"
    assert lim.wait_seconds("c") == 0
