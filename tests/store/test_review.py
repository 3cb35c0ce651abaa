"""Review in the store (issue: evidence, quality grade and sign-off): queries, answers, approval
locks, reopening — in the library and with real ``impact`` processes, including a race between an
approval and a concurrent ingest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from store_helpers import fingerprint, make_frame

from impact.store.errors import ReviewError
from impact.store.store import Store

IMPACT = Path(sys.executable).parent / "impact"
HEADER = "project_id,indicator_id,period,value\n"
ORIGINAL = HEADER + "kiezbox,test-users,2024-Q1,100\nkiezbox,test-users,2024-Q2,150\n"
CORRECTION = HEADER + "kiezbox,test-users,2024-Q2,160\n"
Q2 = ("kiezbox", "test-users", "2024-Q2", "", "")


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([str(IMPACT), *map(str, args)], capture_output=True, text=True, timeout=300,
                       env={**os.environ, **(env or {})})
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    return r


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def current_value(store: Store, period: str = "2024-Q2") -> float:
    cur = store.current()
    return float(cur.loc[cur["period"] == period, "value"].iloc[0])


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "store")
    s.append(b"first", "a.csv", make_frame([("kiezbox", "test-users", "2024-Q1", 100.0),
                                            ("kiezbox", "test-users", "2024-Q2", 150.0)]))
    return s


# ---- library ---------------------------------------------------------------------------------------

def test_query_answer_by_text_then_resolve(store: Store) -> None:
    q = store.ask("kiezbox", "test-users", "2024q2", "Warum 150?", by="evaluator")
    assert q.id.startswith("q-") and len(q.id) == 10 and q.state == "open" and q.value == 150.0
    assert q.key == Q2 and q.by == "evaluator"
    assert store.review_state().set_index("period").loc["2024-Q2", "review_state"] == "queried"
    assert [x.id for x in store.queries("kiezbox", "open")] == [q.id]
    assert store.queries("other") == []

    with pytest.raises(ReviewError) as exc:  # another team cannot see or answer it
        store.answer_query(q.id, "Tippfehler", by="tok-x", project="other")
    assert exc.value.exit_code == 2
    answered = store.answer_query(q.id, "Zählung stimmt, Sonderaktion im Mai", by="tok-1", project="kiezbox")
    assert answered.state == "answered" and answered.answers[0].kind == "text"
    assert answered.answers[0].text == "Zählung stimmt, Sonderaktion im Mai" and answered.answers[0].by == "tok-1"
    assert store.review_state().set_index("period").loc["2024-Q2", "review_state"] == "queried"

    closed = store.resolve_query(q.id, "plausibel", by="evaluator")
    assert closed.state == "resolved" and closed.resolution == "plausibel" and closed.resolved_by == "evaluator"
    assert store.review_state().set_index("period").loc["2024-Q2", "review_state"] == "pending"
    for again in (lambda: store.resolve_query(q.id, "x", by="e"), lambda: store.answer_query(q.id, "x", by="t")):
        with pytest.raises(ReviewError) as exc:
            again()
        assert exc.value.exit_code == 1
    events = [e["event"] for e in store.events()]
    assert events == ["submission", "query", "answer", "resolve"]  # append-only, in order
    assert all(e.get("by") and e.get("at") for e in store.events()[1:])


def test_a_correction_answers_the_query(store: Store) -> None:
    q = store.ask("kiezbox", "test-users", "2024-Q2", "Stimmt 150?", by="e")
    store.append(b"fix", "fix.csv", make_frame([("kiezbox", "test-users", "2024-Q2", 160.0)]), token_id="tok-9")
    (found,) = store.queries()
    assert found.id == q.id and found.state == "answered"
    assert found.answers[0].kind == "correction" and found.answers[0].by == "tok-9"
    assert found.answers[0].submission_id == store.submission_ids()[-1]
    other = store.ask("kiezbox", "test-users", "2024-Q1", "Und Q1?", by="e")
    store.append(b"fix2", "fix2.csv", make_frame([("kiezbox", "test-users", "2024-Q2", 161.0)]))
    assert store.queries(state="open")[0].id == other.id  # a correction of another key answers nothing


def test_refusals_name_what_is_missing(store: Store) -> None:
    cases = [lambda: store.ask("kiezbox", "test-users", "2030-Q1", "?", by="e"),
             lambda: store.ask("kiezbox", "test-users", "2024-Q2", "  ", by="e"),
             lambda: store.resolve_query("q-00000000", "x", by="e"),
             lambda: store.approve("nope", "2024-Q2", by="e"),
             lambda: store.reopen("kiezbox", "2024-Q2", "why", by="e"),
             lambda: store.reopen("kiezbox", "2024-Q2", "", by="e")]
    before = fingerprint(store.path)
    for case in cases:
        with pytest.raises(ReviewError) as exc:
            case()
        assert exc.value.exit_code == 2
        assert exc.value.message("de") != exc.value.message("en")  # translated
    assert fingerprint(store.path) == before


def test_approval_locks_the_value_and_reopen_unlocks_it(store: Store) -> None:
    q = store.ask("kiezbox", "test-users", "2024-Q2", "Stimmt 150?", by="e")
    keys = store.approve("kiezbox", "2024-Q2", by="lead")
    assert [(k["period"], k["value"]) for k in keys] == [("2024-Q2", 150.0)]
    assert store.approve("kiezbox", "2024-Q2", by="lead") == []  # already approved: nothing recorded
    assert store.queries()[0].state == "resolved" and store.queries()[0].id == q.id  # closed by the approval
    state = store.review_state().set_index("period")
    assert state.loc["2024-Q2", "review_state"] == "approved" and state.loc["2024-Q2", "approved_by"] == "lead"
    assert state.loc["2024-Q1", "review_state"] == "pending"
    with pytest.raises(ReviewError) as exc:
        store.ask("kiezbox", "test-users", "2024-Q2", "noch was?", by="e")
    assert exc.value.exit_code == 1

    before = fingerprint(store.path)
    refused = store.append(b"late", "late.csv", make_frame([("kiezbox", "test-users", "2024-Q1", 101.0),
                                                            ("kiezbox", "test-users", "2024-Q2", 151.0)]))
    assert refused.status == "refused" and [p.code for p in refused.problems] == ["value_approved"]
    assert refused.problems[0].row == 3 and "lead" in refused.problems[0].message("de")
    assert fingerprint(store.path) == before
    same = store.append(b"same", "same.csv", make_frame([("kiezbox", "test-users", "2024-Q2", 150.0)]))
    assert same.status == "accepted"  # the same value again changes nothing approved

    store.reopen("kiezbox", "2024-Q2", "Zählfehler gemeldet", by="lead")
    assert store.append(b"late", "late.csv", make_frame([("kiezbox", "test-users", "2024-Q2", 151.0)])).status == "accepted"
    assert current_value(store) == 151.0
    reopen = next(e for e in store.events() if e["event"] == "reopen")
    assert reopen["reason"] == "Zählfehler gemeldet" and reopen["by"] == "lead"


def test_values_carry_review_state_and_approved_only(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMPACT_NOW")  # a real clock: approval and reopening at distinct instants
    values = store.values()
    assert {"quality", "evidence", "review_state"} <= set(values.columns)
    assert set(values["review_state"]) == {"pending"} and store.values(approved_only=True).empty
    store.approve("kiezbox", "2024-Q2", by="lead")
    approved_at = store.review_state()["approved_at"].max()
    store.reopen("kiezbox", "2024-Q2", "neu", by="lead")
    store.append(b"new", "new.csv", make_frame([("kiezbox", "test-users", "2024-Q2", 170.0)]))
    store.approve("kiezbox", "2024-Q2", by="lead")
    only = store.values(approved_only=True)
    assert list(only["period"].unique()) == ["2024-Q2"] and set(only["review_state"]) == {"approved"}
    assert current_value(Store(store.path)) == 170.0
    newest = only.sort_values("received_at").iloc[-1]
    assert newest["value"] == 170.0
    # the knowledge date: as it was right after the first approval, the approved value was 150
    then = store.values(known_at=approved_at.to_pydatetime(), approved_only=True)
    assert then.sort_values("received_at").iloc[-1]["value"] == 150.0
    assert set(store.values(known_at=approved_at.to_pydatetime())
               .query("period == '2024-Q1'")["review_state"]) == {"pending"}


# ---- real processes --------------------------------------------------------------------------------

@pytest.fixture()
def opts(tmp_path: Path, min_catalog_dir: Path) -> list[str]:
    return ["--store", str(tmp_path / "store"), "--catalog", str(min_catalog_dir)]


def test_approve_refuse_reopen_accept_with_real_processes(tmp_path: Path, opts: list[str]) -> None:
    store_opt = opts[:2]
    assert run("ingest", write(tmp_path / "werte.csv", ORIGINAL), *opts).returncode == 0
    r = run("review", "approve", "--project", "kiezbox", "--period", "2024-Q2", "--by", "s.schulz", *store_opt,
            "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["approved"] == 1
    store = Store(tmp_path / "store")
    before = fingerprint(store.path, exclude=("quarantine",))

    correction = write(tmp_path / "korrektur.csv", CORRECTION)
    r = run("ingest", correction, *opts, "--lang", "en")
    assert r.returncode == 1 and "value_approved" in r.stdout and "s.schulz" in r.stdout
    assert fingerprint(store.path, exclude=("quarantine",)) == before  # byte-identical
    (folder,) = store.quarantine_dir.iterdir()
    errors = (folder / "errors.txt").read_text(encoding="utf-8")
    assert "freigegeben" in errors and "approved" in errors  # German and English
    assert current_value(store) == 150.0

    r = run("review", "reopen", "--project", "kiezbox", "--period", "2024-Q2", *store_opt)
    assert r.returncode == 2  # --reason is required
    r = run("review", "reopen", "--project", "kiezbox", "--period", "2024-Q2", "--reason", "Zählfehler",
            "--by", "s.schulz", *store_opt)
    assert r.returncode == 0, r.stderr
    assert run("ingest", correction, *opts).returncode == 0
    assert current_value(store) == 160.0
    listing = json.loads(run("review", "list", "--project", "kiezbox", "--format", "json", *store_opt).stdout)
    q2 = next(v for v in listing["values"] if v["period"] == "2024-Q2")
    assert q2["value"] == 160.0 and q2["review_state"] == "pending"
    assert [e["event"] for e in store.events() if e["event"] != "submission"] == ["approve", "reopen"]


def test_query_cli_round_trip_and_exit_codes(tmp_path: Path, opts: list[str]) -> None:
    store_opt = opts[:2]
    assert run("ingest", write(tmp_path / "werte.csv", ORIGINAL), *opts).returncode == 0
    r = run("review", "query", "--project", "kiezbox", "--indicator", "test-users", "--period", "2024-Q2",
            "--text", "Warum 150?", "--format", "json", *store_opt)
    assert r.returncode == 0, r.stderr
    qid = json.loads(r.stdout)["id"]
    Store(tmp_path / "store").answer_query(qid, "Sonderaktion", by="tok-1", project="kiezbox")
    r = run("review", "list", "--state", "queried", *store_opt, "--lang", "de")
    assert r.returncode == 0 and qid in r.stdout and "Sonderaktion" in r.stdout and "2024-Q1" not in r.stdout
    r = run("review", "resolve", qid, "--text", "ok", "--format", "json", *store_opt)
    assert r.returncode == 0 and json.loads(r.stdout)["state"] == "resolved"
    assert run("review", "resolve", qid, "--text", "ok", *store_opt).returncode == 1
    assert run("review", "resolve", "q-deadbeef", "--text", "ok", *store_opt).returncode == 2
    assert run("review", "list", "--store", tmp_path / "nostore").returncode == 2
    r = run("review", "list", "--project", "nope", *opts, "--lang", "en")
    assert r.returncode == 2 and "Unknown project 'nope'" in r.stderr
    r = run("review", "query", "--project", "kiezbox", "--indicator", "test-users", "--period", "2031-Q1",
            "--text", "?", *store_opt, "--lang", "en")
    assert r.returncode == 2 and "No stored value" in r.stderr


@pytest.mark.parametrize("lang,words", [("de", "Freigabe"), ("en", "Approve")])
def test_review_help_in_both_languages(lang: str, words: str) -> None:
    for sub in ([], ["list"], ["query"], ["resolve"], ["approve"], ["reopen"]):
        r = run("review", *sub, "--help", env={"IMPACT_LANG": lang})
        assert r.returncode == 0 and "3" in r.stdout
    r = run("review", "approve", "--help", env={"IMPACT_LANG": lang})
    assert words.lower() in r.stdout.lower()


def test_approval_racing_an_ingest_never_changes_an_approved_value(tmp_path: Path, opts: list[str]) -> None:
    """Subprocesses ingest a correction and approve at the same time, several times over: whichever
    gets the lock first, the value approved is the value stored afterwards."""
    outcomes = set()
    for n in range(4):
        store_dir = tmp_path / f"store{n}"
        o = ["--store", str(store_dir), opts[2], opts[3]]
        assert run("ingest", write(tmp_path / "werte.csv", ORIGINAL), *o).returncode == 0
        correction = write(tmp_path / f"k{n}.csv", CORRECTION)
        env = {**os.environ, "IMPACT_TEST_PAUSE_AFTER_WRITE": "0.5"}  # widen the ingest's window
        ingest = subprocess.Popen([str(IMPACT), "ingest", str(correction), *o], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if n % 2:
            ingest.wait(timeout=300)  # every other round the ingest is first for sure
        approve = subprocess.Popen([str(IMPACT), "review", "approve", "--project", "kiezbox", "--period", "2024-Q2",
                                    "--store", str(store_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        assert approve.wait(timeout=300) == 0, approve.stderr.read() if approve.stderr else ""
        code = ingest.wait(timeout=300)
        store = Store(store_dir)
        (event,) = [e for e in store.events() if e["event"] == "approve"]
        approved_value = event["keys"][0]["value"]
        assert current_value(store) == approved_value  # the invariant
        assert code in (0, 1)
        if code == 1:  # refused: the approval came first, the old value stays
            assert approved_value == 150.0
        else:  # stored first, then approved
            assert approved_value == 160.0
            sub = [e for e in store.events() if e["event"] == "submission"][-1]
            assert pd.Timestamp(sub["received_at"]) <= pd.Timestamp(event["at"])
        outcomes.add(code)
    assert 0 in outcomes


def test_export_carries_quality_evidence_and_review_state(tmp_path: Path, opts: list[str]) -> None:
    assert run("ingest", write(tmp_path / "werte.csv", ORIGINAL), *opts).returncode == 0
    assert run("review", "approve", "--project", "kiezbox", "--period", "2024-Q2", *opts[:2]).returncode == 0
    out = tmp_path / "export"
    r = run("export", "--format", "csv", "--out", out, "--as-of", "2024-12-31", *opts)
    assert r.returncode == 0, r.stderr
    values = pd.read_csv(out / "values.csv", dtype=str, keep_default_na=False)
    assert {"quality", "evidence", "review_state"} <= set(values.columns)
    states = dict(zip(values["period"], values["review_state"], strict=True))
    assert states == {"2024-Q1": "pending", "2024-Q2": "approved"}
