"""Browser sessions: created, touched, ended, swept; kernels bound to them; the kernels' view."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from impact.apps.sessions import SESSION_ENV, SESSIONS_FILE_ENV, KernelSession, SessionRegistry, kernel_session

from .conftest import FakeClock


def test_sessions_live_while_active_and_end_when_idle(tmp_path: Path) -> None:
    clock = FakeClock()
    reg = SessionRegistry(idle=60, path=tmp_path / "s.json", clock=clock)
    s = reg.create("127.0.0.1", {"token_id": "tok-1", "project": "kiezbox"})
    assert reg.get(s.id) is s and len(s.id) >= 40
    clock.now += 50
    reg.touch(s)
    clock.now += 50
    assert reg.get(s.id) is s  # 100 s old, but active 50 s ago
    clock.now += 11
    assert reg.get(s.id) is None  # idle for 61 s
    assert [x.id for x in reg.sweep()] == [s.id] and reg.sessions() == []


def test_kernels_belong_to_the_session_that_opened_them(tmp_path: Path) -> None:
    reg = SessionRegistry(idle=60, clock=FakeClock())
    a, b = reg.create("x"), reg.create("y")
    reg.bind(a, "k1")
    assert reg.owner("k1") is a and reg.owner("k2") is None
    assert reg.owner("k1") is not b
    reg.unbind("k1")
    assert reg.owner("k1") is None and a.kernels == []
    reg.bind(a, "k3")
    ended = reg.end(a.id)
    assert ended is a and ended.kernels == ["k3"] and reg.owner("k3") is None


def test_kernels_see_their_session_until_it_ends(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "state" / "sessions.json"
    reg = SessionRegistry(idle=60, path=path, clock=clock)
    s = reg.create("c", {"token_id": "tok-1", "project": "kiezbox", "lang": "en"})
    view = KernelSession(s.id, path, clock=clock)
    assert view.data() == {"token_id": "tok-1", "project": "kiezbox", "lang": "en"}
    assert KernelSession("forged-" + s.id, path, clock=clock).data() is None
    text = path.read_text()
    assert s.id not in text  # keyed by a hash: the file gives no session away
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    clock.now += 60 + reg.slack + 1
    assert view.data() is None  # expired, even before the server's sweep
    clock.now = 1_000_000.0
    reg.end(s.id)
    assert view.data() is None and json.loads(path.read_text()) == {}


def test_kernel_session_from_environment(tmp_path: Path) -> None:
    assert kernel_session({}) is None
    found = kernel_session({SESSION_ENV: "abc", SESSIONS_FILE_ENV: str(tmp_path / "s.json")})
    assert found is not None and found.session_id == "abc" and found.data() is None


def test_registry_is_bounded() -> None:
    reg = SessionRegistry(idle=60, max_sessions=10, clock=FakeClock())
    first = reg.create("a")
    for i in range(20):
        reg.create(str(i))
    assert len(reg.sessions()) == 10 and reg.get(first.id) is None
