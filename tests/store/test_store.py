"""Store mechanics with hand-made normalised frames (no validation involved)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from store_helpers import fingerprint, make_frame

from impact.core.locking import LockBusyError, exclusive_lock
from impact.store import store as store_mod
from impact.store.store import (
    FORMAT_VERSION,
    VALUE_COLUMNS,
    Store,
    StoreDamagedError,
    StoreFormatError,
    latest_per_key,
    sha256_hex,
)

A = b"project_id,indicator_id,period,value\nkiezbox,test-users,2024-Q1,10\n"
B = b"project_id,indicator_id,period,value\nkiezbox,test-users,2024-Q1,12\n"


def test_empty_store_reads_as_empty(tmp_path: Path) -> None:
    s = Store(tmp_path / "nowhere")
    v = s.values()
    assert v.empty and list(v.columns)[:len(VALUE_COLUMNS)] == list(VALUE_COLUMNS)
    assert {"quality", "evidence"} <= set(v.columns)
    assert s.ledger().empty
    assert s.submission_ids() == []
    assert not (tmp_path / "nowhere").exists()  # reading creates nothing


def test_append_writes_values_archive_ledger_and_format(tmp_path: Path, frame: pd.DataFrame) -> None:
    s = Store(tmp_path / "st")
    r = s.append(A, "meldung.csv", frame, token_id="tok-1")
    assert r.status == "accepted" and r.rows == 2 and r.corrections == 0
    assert r.submission_id == sha256_hex(A)
    assert json.loads(s.meta_path.read_text())["version"] == FORMAT_VERSION
    assert (s.archive_dir / r.submission_id / "1.csv").read_bytes() == A
    assert s.archived_original(r.submission_id) == s.archive_dir / r.submission_id / "1.csv"
    v = s.values()
    assert len(v) == 2
    assert set(v["submission_id"]) == {r.submission_id}
    assert set(v["token_id"]) == {"tok-1"} and set(v["file_name"]) == {"meldung.csv"}
    assert v["period_start"].iloc[0] == dt.date(2024, 1, 1)
    assert str(v["received_at"].dt.tz) == "UTC"
    lines = s.ledger_path.read_text().splitlines()
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event["status"] == "accepted" and event["rows"] == 2 and event["projects"] == ["kiezbox"]
    assert event["token_id"] == "tok-1"
    led = s.ledger()
    assert list(led["submission_id"]) == [r.submission_id] and led["rows"].iloc[0] == 2


def test_duplicate_changes_nothing(tmp_path: Path, frame: pd.DataFrame) -> None:
    s = Store(tmp_path / "st")
    s.append(A, "a.csv", frame)
    before = fingerprint(s.path)
    r = s.append(A, "renamed.csv", frame)
    assert r.status == "duplicate" and r.rows == 0
    assert fingerprint(s.path) == before


def test_correction_keeps_history_and_newest_wins(tmp_path: Path) -> None:
    s = Store(tmp_path / "st")
    first = s.append(A, "a.csv", make_frame([("kiezbox", "test-users", "2024-Q1", 10.0)]))
    second = s.append(B, "b.csv", make_frame([("kiezbox", "test-users", "2024-Q1", 12.0),
                                               ("kiezbox", "test-users", "2024-Q2", 5.0)]))
    assert second.corrections == 1
    assert second.received_at > first.received_at
    hist = s.values()
    q1 = hist[hist["period"] == "2024-Q1"].sort_values("received_at")
    assert list(q1["value"]) == [10.0, 12.0]
    assert list(q1["submission_id"]) == [first.submission_id, second.submission_id]
    cur = s.current()
    assert len(cur) == 2
    assert cur.set_index("period").loc["2024-Q1", "value"] == 12.0
    # as of the first submission's time only the first value was known
    assert list(s.current(known_at=first.received_at.to_pydatetime())["value"]) == [10.0]


def test_breakdown_rows_are_separate_keys(tmp_path: Path) -> None:
    s = Store(tmp_path / "st")
    s.append(A, "a.csv", make_frame([("kiezbox", "test-users", "2024-Q1", 10.0)]))
    r = s.append(B, "b.csv", make_frame([("kiezbox", "test-users", "2024-Q1", 4.0)], breakdown="district",
                                         breakdown_value="mitte"))
    assert r.corrections == 0
    assert len(s.current()) == 2


def test_received_at_strictly_increasing_with_a_frozen_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frozen = pd.Timestamp("2026-11-21T10:00:00", tz="UTC").as_unit("us")
    monkeypatch.setattr(store_mod, "utc_now", lambda: frozen)
    s = Store(tmp_path / "st")
    times = [s.append(bytes([n]) + A, f"{n}.csv", make_frame()).received_at for n in range(3)]
    assert times[0] == frozen
    assert times[0] < times[1] < times[2]
    assert len(s.current()) == 2
    assert set(s.current()["submission_id"]) == {sha256_hex(bytes([2]) + A)}


def test_as_of_date_means_end_of_day_utc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Store(tmp_path / "st")
    monkeypatch.setattr(store_mod, "utc_now", lambda: pd.Timestamp("2026-03-31T23:59:59.5", tz="UTC"))
    s.append(A, "a.csv", make_frame([("kiezbox", "test-users", "2024-Q1", 10.0)]))
    monkeypatch.setattr(store_mod, "utc_now", lambda: pd.Timestamp("2026-04-01T00:00:00", tz="UTC"))
    s.append(B, "b.csv", make_frame([("kiezbox", "test-users", "2024-Q1", 12.0)]))
    assert len(s.values(known_at=dt.date(2026, 3, 30))) == 0
    assert list(s.values(known_at=dt.date(2026, 3, 31))["value"]) == [10.0]
    assert len(s.values(known_at=dt.date(2026, 4, 1))) == 2
    assert len(s.values(known_at=dt.datetime(2026, 3, 31, 23, 59, 59))) == 0  # naive = UTC
    assert list(s.values("2026-03-31")["value"]) == [10.0]  # an ISO date, positional
    assert s.content_hash(known_at=dt.date(2026, 3, 31)) != s.content_hash()
    assert s.content_hash(dt.date(2026, 3, 31)) == s.content_hash(known_at=dt.date(2026, 3, 31))


def test_as_of_is_a_deprecated_alias_of_known_at(tmp_path: Path, frame: pd.DataFrame) -> None:
    s = Store(tmp_path / "st")
    s.append(A, "a.csv", frame)
    with pytest.deprecated_call():
        assert len(s.values(as_of=dt.date(1999, 1, 1))) == 0
    with pytest.deprecated_call():
        assert s.content_hash(as_of=dt.date(1999, 1, 1)) == Store(tmp_path / "empty").content_hash()
    with pytest.deprecated_call():
        assert len(s.current(as_of=dt.date(2199, 1, 1))) == 2


def test_store_needs_an_explicit_path() -> None:
    with pytest.raises(TypeError, match="store directory"):
        Store(None)  # type: ignore[arg-type]


def test_content_hash_is_stable_for_the_same_submissions(tmp_path: Path, frame: pd.DataFrame) -> None:
    one, two = Store(tmp_path / "one"), Store(tmp_path / "two")
    assert one.content_hash() == two.content_hash()
    for st in (one, two):
        st.append(A, "a.csv", frame)
        st.append(B, "b.csv", frame)
    assert one.content_hash() == two.content_hash()
    h = one.content_hash()
    one.append(A, "again.csv", frame)  # duplicate: no change
    assert one.content_hash() == h
    one.append(b"x" + A, "c.csv", frame)
    assert one.content_hash() != h


def test_newer_format_is_refused(tmp_path: Path, frame: pd.DataFrame) -> None:
    s = Store(tmp_path / "st")
    s.append(A, "a.csv", frame)
    s.meta_path.write_text(json.dumps({"format": "impact-store", "version": FORMAT_VERSION + 1}))
    before = fingerprint(s.path)
    for action in (s.values, s.ledger, lambda: s.append(B, "b.csv", frame)):
        with pytest.raises(StoreFormatError) as err:
            action()
        assert err.value.exit_code == 2
        assert "neuer" in err.value.message("de") and "newer" in err.value.message("en")
    assert fingerprint(s.path) == before


def test_garbled_store_json_is_refused(tmp_path: Path) -> None:
    s = Store(tmp_path)
    s.meta_path.write_text("{not json")
    with pytest.raises(StoreFormatError, match="store.json"):
        s.values()


def test_damaged_values_file_is_named(tmp_path: Path, frame: pd.DataFrame) -> None:
    s = Store(tmp_path / "st")
    s.append(A, "a.csv", frame)
    bad = s.append(B, "b.csv", frame)
    path = s.values_path(bad.submission_id)
    path.write_bytes(path.read_bytes()[:40])  # truncated
    with pytest.raises(StoreDamagedError) as err:
        s.values()
    assert str(path) in err.value.message("de") and str(path) in err.value.message("en")
    assert err.value.exit_code == 2
    assert [p for p, _ in s.verify()] == [path]
    path.unlink()
    with pytest.raises(StoreDamagedError, match="missing"):
        s.values()


def test_torn_ledger_line_is_ignored_then_repaired(tmp_path: Path, frame: pd.DataFrame) -> None:
    s = Store(tmp_path / "st")
    ok = s.append(A, "a.csv", frame)
    with open(s.ledger_path, "ab") as fh:  # a writer died half-way through its ledger line
        fh.write(b'{"event": "submission", "status": "accepted", "submission_id": "ab')
    assert s.submission_ids() == [ok.submission_id]
    assert len(s.values()) == 2
    r = s.append(B, "b.csv", frame)
    assert r.recovered and "ledger.jsonl" in r.recovered[0]
    assert s.submission_ids() == [ok.submission_id, r.submission_id]
    statuses = list(s.ledger()["status"])
    assert statuses == ["accepted", "recovered", "accepted"]
    for line in s.ledger_path.read_text().splitlines():
        json.loads(line)


def test_orphans_are_ignored_and_cleaned_at_next_write(tmp_path: Path, frame: pd.DataFrame) -> None:
    s = Store(tmp_path / "st")
    s.append(A, "a.csv", frame)
    orphan = sha256_hex(b"never committed")
    s.values_path(orphan).write_bytes(s.values_path(sha256_hex(A)).read_bytes())
    (s.values_dir / ".tmp-123-x.parquet").write_bytes(b"half")
    (s.archive_dir / orphan).mkdir()
    (s.archive_dir / orphan / "1.csv").write_bytes(b"never committed")
    assert len(s.values()) == 2 and s.submission_ids() == [sha256_hex(A)]
    r = s.append(B, "b.csv", frame)
    assert len(r.recovered) == 3
    assert not s.values_path(orphan).exists() and not (s.archive_dir / orphan).exists()
    assert sorted(p.name for p in s.values_dir.iterdir()) == sorted(
        f"{sid}.parquet" for sid in (sha256_hex(A), sha256_hex(B)))
    assert "recovered" in set(s.ledger()["status"])


def test_quarantine_writes_original_and_reports(tmp_path: Path) -> None:
    s = Store(tmp_path / "st")
    folder = s.quarantine(b"bad", "../../etc/errors.json", {"file": "x", "submission_id": sha256_hex(b"bad"),
                                                             "status": "rejected", "errors": []}, "text")
    assert folder.parent == s.quarantine_dir
    assert folder.name.endswith(sha256_hex(b"bad")[:12])
    assert (folder / "original-errors.json").read_bytes() == b"bad"
    assert (folder / "errors.txt").read_text() == "text"
    assert json.loads((folder / "errors.json").read_text())["original"] == "original-errors.json"
    again = s.quarantine(b"bad", "x.csv", {"submission_id": sha256_hex(b"bad")}, "t")
    assert again != folder
    q = s.quarantined()
    assert len(q) == 2 and set(q["status"]) == {"rejected"}
    assert not (s.path / "ledger.jsonl").exists()


def test_frame_without_contract_columns_is_a_programming_error(tmp_path: Path, frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="period_start"):
        Store(tmp_path).append(A, "a.csv", frame.drop(columns=["period_start"]))
    assert Store(tmp_path).submission_ids() == []


def test_latest_per_key_on_empty_and_ties(frame: pd.DataFrame) -> None:
    assert latest_per_key(pd.DataFrame(columns=list(VALUE_COLUMNS))).empty


def test_lock_busy_gives_exit_code_3(tmp_path: Path, frame: pd.DataFrame) -> None:
    s = Store(tmp_path / "st")
    with exclusive_lock(s.lock_path, timeout=0):
        with pytest.raises(LockBusyError) as err:
            s.append(A, "a.csv", frame, lock_timeout=0.1)
    assert err.value.exit_code == 3
    assert "Sperre" in err.value.message("de") and "lock" in err.value.message("en")
    assert s.append(A, "a.csv", frame).status == "accepted"


def test_file_permissions_are_normal(tmp_path: Path, frame: pd.DataFrame) -> None:
    s = Store(tmp_path / "st")
    r = s.append(A, "a.csv", frame)
    assert os.stat(s.values_path(r.submission_id)).st_mode & 0o777 == 0o644


def test_garbled_ledger_line_in_the_middle_is_reported(tmp_path: Path, frame: pd.DataFrame) -> None:
    s = Store(tmp_path / "st")
    s.append(A, "a.csv", frame)
    s.append(B, "b.csv", frame)
    lines = s.ledger_path.read_bytes().splitlines(keepends=True)
    s.ledger_path.write_bytes(lines[0][:30] + b"\n" + lines[1])
    with pytest.raises(store_mod.StoreError) as err:
        s.values()
    assert "ledger.jsonl" in err.value.message("de") and "Zeile 1" in err.value.message("de")
    assert "line 1" in err.value.message("en")
    with pytest.raises(store_mod.StoreError):
        s.append(b"new" + A, "c.csv", frame)
