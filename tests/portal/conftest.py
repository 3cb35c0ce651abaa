"""Fixtures of the portal tests: a tiny catalog, tokens, sample files and a running portal."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from impact.apps.portal.app import PortalApp
from impact.apps.portal.signedin import signed_in
from impact.apps.portal.tokens import TokenStore
from impact.apps.sessions import KernelSession, SessionRegistry
from impact.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
TODAY_ENV = "2026-11-21"
TODAY = dt.date.fromisoformat(TODAY_ENV)

VALID_CSV = (b"project_id,indicator_id,period,value\n"
             b"kiezbox,test-users,2025-Q1,120\n"
             b"kiezbox,test-users,2025-Q2,150\n"
             b"kiezbox,test-outage-hours,2025-05,12\n")
# row 3: not a number; row 4: unknown indicator
INVALID_CSV = (b"project_id,indicator_id,period,value\n"
               b"kiezbox,test-users,2025-Q1,120\n"
               b"kiezbox,test-users,2025-Q2,abc\n"
               b"kiezbox,test-nonsense,2025-Q2,5\n")


@pytest.fixture(autouse=True)
def _restore_portal_log() -> Iterator[None]:
    """``server_log`` (called by ``portal_widget``) configures a process-wide logger; put it back."""
    import logging

    logger = logging.getLogger("impact.portal")
    saved = (list(logger.handlers), logger.propagate, logger.level)
    yield
    logger.handlers[:] = saved[0]
    logger.propagate, logger.level = saved[1], saved[2]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def make_catalog(target: Path) -> Path:
    """A copy of the tiny test catalog (real framework + 4 test indicators)."""
    shutil.copytree(ROOT / "indicators" / "framework", target / "framework")
    shutil.copy(FIXTURES / "catalog_min" / "indicators.yaml", target / "indicators.yaml")
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@dataclass
class Client:
    """An HTTP client with its own cookies (one browser), optionally behind a proxy header."""

    base: str
    headers: dict[str, str] = field(default_factory=dict)
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def _opener(self, follow: bool) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPCookieProcessor(self.jar)]
        if not follow:
            handlers.append(_NoRedirect())
        return urllib.request.build_opener(*handlers)

    def request(self, path: str, data: dict[str, str] | None = None, *, follow: bool = True,
                timeout: float = 120) -> tuple[int, str, dict[str, str], str]:
        """(status, final URL, headers, body)."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=self.headers)
        try:
            with self._opener(follow).open(req, timeout=timeout) as resp:
                return resp.status, resp.geturl(), dict(resp.headers), resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.geturl(), dict(exc.headers), exc.read().decode("utf-8", "replace")

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def sign_in(self, token: str, lang: str = "de") -> tuple[int, str]:
        """GET the sign-in form, POST the token (with the form's XSRF field); (status, body or location)."""
        status, _url, _h, page = self.request(f"login?lang={lang}")
        assert status == 200, page[:500]
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page)
        assert xsrf is not None
        status, _url, headers, body = self.request(f"login?lang={lang}", {"token": token, "_xsrf": xsrf.group(1)},
                                                   follow=False)
        return status, headers.get("Location", body)


@dataclass
class RunningPortal:
    url: str
    store_dir: Path
    tokens: TokenStore
    raw: dict[str, str]  # project -> raw token
    files: Path
    log: Path
    pid: int

    def client(self, **headers: str) -> Client:
        return Client(self.url, dict(headers))


def start_portal(base: Path, catalog_dir: Path, tokens: TokenStore, *extra: str,
                 env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str, Path]:
    """``impact portal`` as a real subprocess on a free 127.0.0.1 port; waits until it answers."""
    port = free_port()
    full_env = {**os.environ, "IMPACT_TODAY": TODAY_ENV, "IMPACT_LANG": "de", **(env or {})}
    full_env.pop("IMPACT_TOKENS", None)
    log = base / f"portal-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "impact.cli", "portal", "--port", str(port), "--store", str(base / "store"),
             "--tokens", str(tokens.path), "--catalog", str(catalog_dir), *extra],
            stdout=out, stderr=subprocess.STDOUT, env=full_env, cwd=base)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:  # the sign-in page: cheap, starts no kernel
            urllib.request.urlopen(url + "login", timeout=5)  # noqa: S310
            return proc, url, log
        except urllib.error.HTTPError:
            return proc, url, log
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_portal(proc)
                raise RuntimeError("portal did not start:\n" + log.read_text(errors="replace")) from None
            time.sleep(0.5)


def stop_portal(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def portal_setup(base: Path) -> tuple[Path, TokenStore, dict[str, str], Path]:
    """Catalog, token file with one token per project, and sample files under ``base``."""
    catalog_dir = make_catalog(base / "catalog")
    tokens = TokenStore(base / "tokens.json")
    today = dt.date.fromisoformat(TODAY_ENV)
    raw = {p: tokens.issue(p, today=today)[1] for p in ("kiezbox", "smart-water")}
    files = base / "files"
    files.mkdir()
    (files / "valid.csv").write_bytes(VALID_CSV)
    (files / "invalid.csv").write_bytes(INVALID_CSV)
    return catalog_dir, tokens, raw, files


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    """Headless Chromium for one test module (browser tests only; never skipped silently)."""
    from . import browser

    if not browser.have_chromium():
        pytest.fail("Debian chromium / chromium-driver not installed: run `make browser` (see README)")
    drv = browser.make_driver()
    try:
        yield drv
    finally:
        drv.quit()


@pytest.fixture(scope="package")
def running_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPortal]:
    """``impact portal`` as a real subprocess on a free 127.0.0.1 port, tmp store and tokens."""
    base = tmp_path_factory.mktemp("portal")
    catalog_dir, tokens, raw, files = portal_setup(base)
    proc, url, log = start_portal(base, catalog_dir, tokens)
    try:
        yield RunningPortal(url, base / "store", tokens, raw, files, log, proc.pid)
    finally:
        stop_portal(proc)


@dataclass
class Env:
    """A portal app's surroundings without a server: real catalog, store, token file and session
    file (as the server keeps them), and a clock the test moves."""

    catalog: object
    store: Store
    tokens: TokenStore
    sessions: SessionRegistry
    clock: FakeClock
    raw: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def app(self, project: str | None = "kiezbox", lang: str = "de", max_bytes: int = 5_000) -> PortalApp:
        signin = None
        if project is not None:
            session = self.sessions.create("127.0.0.1", {"token_id": self.ids[project], "project": project})
            signin = signed_in(KernelSession(session.id, self.sessions.path, clock=self.clock))
        return PortalApp(self.catalog, self.store, self.tokens, signin=signin, today=lambda: TODAY,
                         max_bytes=max_bytes, lang=lang)


@pytest.fixture()
def env(min_catalog, tmp_path: Path) -> Env:
    tokens = TokenStore(tmp_path / "tokens.json")
    raw, ids = {}, {}
    for p in ("kiezbox", "smart-water"):
        rec, raw[p] = tokens.issue(p, today=TODAY)
        ids[p] = rec.id
    clock = FakeClock()
    sessions = SessionRegistry(idle=600, path=tmp_path / "sessions.json", clock=clock)
    return Env(min_catalog, Store(tmp_path / "store"), tokens, sessions, clock, raw, ids)


def upload_bytes(app: PortalApp, data: bytes, name: str = "werte.csv") -> None:
    """What the browser sends when a file is chosen in the app's upload button."""
    app.view.upload.value = ({"name": name, "type": "text/csv", "size": len(data), "content": memoryview(data),
                              "last_modified": dt.datetime(2026, 11, 1, tzinfo=dt.UTC)},)
