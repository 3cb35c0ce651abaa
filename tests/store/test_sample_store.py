"""The shared ``sample_store`` fixture (tests/conftest.py) builds a usable store from data/sample/."""

from __future__ import annotations

from pathlib import Path

from impact.store.store import Store


def test_sample_store_holds_the_sample_submissions(sample_store: Path) -> None:
    store = Store(sample_store)
    ids = store.submission_ids()
    assert ids, "no sample file was accepted"
    assert store.verify() == []
    values = store.values()
    assert set(values["submission_id"]) == set(ids)
    assert len(store.current()) <= len(values)
