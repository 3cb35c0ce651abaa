"""The token model: only hashes stored, revoke, expiry, project binding, rate limiting."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import stat
from pathlib import Path

import pytest

from impact.apps.portal.tokens import (
    AttemptLimiter,
    TokenError,
    TokenFileError,
    TokenStore,
    authenticate,
    hash_token,
)

TODAY = dt.date(2026, 11, 21)


@pytest.fixture()
def store(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / "portal" / "tokens.json")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


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
    assert not list(store.path.parent.glob("*.tmp"))  # atomic write leaves no temp file


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
    assert TODAY.isoformat() in exc.value.message("en")
    with pytest.raises(TokenError) as exc:
        store.issue("kiezbox", expires=TODAY - dt.timedelta(days=1), today=TODAY)
    assert exc.value.code == "bad_expiry"


def test_wrong_project_refused(store: TokenStore) -> None:
    _, raw = store.issue("kiezbox", today=TODAY)
    assert store.verify(raw, today=TODAY, project="kiezbox").project == "kiezbox"
    with pytest.raises(TokenError) as exc:
        store.verify(raw, today=TODAY, project="smart-water")
    assert exc.value.code == "token_wrong_project"


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


# -- rate limiting ---------------------------------------------------------------------------

def test_limiter_locks_after_five_failures_and_unlocks() -> None:
    clock = FakeClock()
    lim = AttemptLimiter(clock=clock)
    for _ in range(4):
        assert lim.record_failure() == 0
        assert lim.wait_seconds() == 0
    assert lim.record_failure() == pytest.approx(600)
    clock.now += 300
    assert lim.wait_seconds() == pytest.approx(300)
    clock.now += 301
    assert lim.wait_seconds() == 0


def test_limiter_window_forgets_old_failures() -> None:
    clock = FakeClock()
    lim = AttemptLimiter(clock=clock)
    for _ in range(4):
        lim.record_failure()
    clock.now += 601  # older than the 10-minute window
    assert lim.record_failure() == 0
    assert lim.wait_seconds() == 0


def test_limiter_keys_are_separate() -> None:
    lim = AttemptLimiter(clock=FakeClock())
    for _ in range(5):
        lim.record_failure("10.0.0.1")
    assert lim.wait_seconds("10.0.0.1") > 0
    assert lim.wait_seconds("10.0.0.2") == 0


def test_authenticate_refuses_even_the_right_token_when_locked(store: TokenStore, tmp_path: Path) -> None:
    _, raw = store.issue("kiezbox", today=TODAY)
    clock = FakeClock()
    # two limiter objects on one file = two kernels of one portal process
    first = AttemptLimiter(tmp_path / "attempts.json", clock=clock)
    second = AttemptLimiter(tmp_path / "attempts.json", clock=clock)
    codes = []
    for i in range(5):
        lim = first if i % 2 else second
        with pytest.raises(TokenError) as exc:
            authenticate(store, lim, "x" * 43, today=TODAY)
        codes.append(exc.value.code)
    assert codes == ["token_unknown"] * 4 + ["too_many_attempts"]
    with pytest.raises(TokenError) as exc:
        authenticate(store, first, raw, today=TODAY)
    assert exc.value.code == "too_many_attempts"
    assert "10 Minute" in exc.value.message("de") and "10 minute" in exc.value.message("en")
    clock.now += 601
    assert authenticate(store, first, raw, today=TODAY).project == "kiezbox"


def test_empty_entry_is_not_counted(store: TokenStore) -> None:
    lim = AttemptLimiter(clock=FakeClock())
    for _ in range(10):
        with pytest.raises(TokenError) as exc:
            authenticate(store, lim, "", today=TODAY)
        assert exc.value.code == "token_missing"
    assert lim.wait_seconds() == 0


def test_limiter_survives_damaged_state_file(tmp_path: Path) -> None:
    path = tmp_path / "attempts.json"
    path.write_text("garbage", encoding="utf-8")
    lim = AttemptLimiter(path, clock=FakeClock())
    assert lim.wait_seconds() == 0
    lim.record_failure()
    assert len(json.loads(path.read_text())["*"]["failures"]) == 1
