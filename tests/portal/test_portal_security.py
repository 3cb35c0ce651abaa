"""The threat model of docs/portal.md, one test per threat, against real ``impact portal`` processes
on 127.0.0.1 (HTTP and websocket clients; the browser tests cover the same page in Chromium)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from impact.store.store import Store

from .conftest import Client, RunningPortal, portal_setup, start_portal, stop_portal

pytestmark = pytest.mark.slow

KERNEL_ID = re.compile(r'"kernelId": "([0-9a-f-]{36})"')


def kernels_of(pid: int) -> list[psutil.Process]:
    """The kernel processes a portal process started."""
    procs = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                procs.append(child)
        except psutil.NoSuchProcess:
            continue
    return procs


def open_page(client: Client) -> str:
    """Load the app page (starts a kernel for a signed-in client); returns its kernel id."""
    status, _url, _h, page = client.request("")
    assert status == 200, page[:300]
    found = KERNEL_ID.search(page)
    assert found is not None, page[:300]
    return found.group(1)


def websocket_status(base: str, kernel_id: str, cookies: str = "") -> int:
    """Try the kernel's websocket the way a browser does; 101 = opened, else the HTTP refusal."""
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    url = base.replace("http://", "ws://") + f"api/kernels/{kernel_id}/channels?session_id=attack"
    headers = {"Origin": base.rstrip("/")}
    if cookies:
        headers["Cookie"] = cookies

    async def attempt() -> int:
        try:
            conn = await websocket_connect(HTTPRequest(url, headers=headers, connect_timeout=30))
        except HTTPClientError as exc:
            return int(exc.code)
        conn.close()
        return 101

    return asyncio.run(attempt())


def cookie_header(client: Client) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in client.jar)


def _own_portal(base: Path, *options: str) -> Iterator[RunningPortal]:
    catalog_dir, tokens, raw, files = portal_setup(base)
    proc, url, log = start_portal(base, catalog_dir, tokens, *options)
    try:
        yield RunningPortal(url, base / "store", tokens, raw, files, log, proc.pid)
    finally:
        stop_portal(proc)


@pytest.fixture(scope="module")
def strict_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPortal]:
    """A portal of its own (its limits are exercised to the end): trusted proxy, 2 kernels at most."""
    yield from _own_portal(tmp_path_factory.mktemp("strict"), "--trusted-proxy", "--max-kernels", "2")


@pytest.fixture(scope="module")
def hasty_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPortal]:
    """A portal whose sign-ins end after 6 s without activity (no trusted proxy)."""
    yield from _own_portal(tmp_path_factory.mktemp("hasty"), "--idle-minutes", "0.1")


def test_threat_take_over_by_kernel_id(running_portal: RunningPortal) -> None:
    """Whoever learns a signed-in tab's kernel id (logs, proxy logs) cannot open a second websocket
    to it, nor use or end it through the kernel API — not even with a sign-in of their own."""
    stored = len(Store(running_portal.store_dir).values())  # (other tests share this portal)
    team = running_portal.client()
    assert team.sign_in(running_portal.raw["kiezbox"])[0] == 303
    kernel_id = open_page(team)
    assert websocket_status(running_portal.url, kernel_id, cookie_header(team)) == 101  # the owner can
    assert websocket_status(running_portal.url, kernel_id) == 403  # a stranger cannot
    other = running_portal.client()
    assert other.sign_in(running_portal.raw["smart-water"])[0] == 303
    assert websocket_status(running_portal.url, kernel_id, cookie_header(other)) == 403  # nor another team
    for method_path, data in (("api/kernels/" + kernel_id, None), ("voila/api/shutdown/" + kernel_id, {})):
        assert other.request(method_path, data, follow=False)[0] == 403
    assert len(Store(running_portal.store_dir).values()) == stored
    assert kernel_id not in running_portal.log.read_text(errors="replace")  # and no log names it


def test_threat_memory_exhaustion_without_sign_in(running_portal: RunningPortal) -> None:
    """200 anonymous page loads within 60 s start no kernel and leave the server's memory bounded
    (docs/portal.md: under 350 MB for the whole process tree, less than 40 MB growth)."""
    from concurrent.futures import ThreadPoolExecutor

    before = {k.pid for k in kernels_of(running_portal.pid)}
    server = psutil.Process(running_portal.pid)
    rss_before = server.memory_info().rss
    start = time.monotonic()

    def load(_i: int) -> int:
        return running_portal.client().request("")[0]

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(load, range(200)))
    took = time.monotonic() - start
    assert took < 60 and statuses == [200] * 200  # each ends on the sign-in page
    assert {k.pid for k in kernels_of(running_portal.pid)} == before  # not one kernel started
    grew = server.memory_info().rss - rss_before
    assert grew < 40_000_000, f"server grew by {grew / 1e6:.1f} MB"
    tree = server.memory_info().rss + sum(k.memory_info().rss for k in kernels_of(running_portal.pid))
    assert tree < 350_000_000 + 400_000_000 * len(before), f"process tree {tree / 1e6:.0f} MB"
    # and a team still works: it signs in and gets its page with a kernel
    team = running_portal.client()
    assert team.sign_in(running_portal.raw["kiezbox"])[0] == 303
    assert open_page(team)


def test_threat_template_override_hangs_and_leaves_a_kernel(running_portal: RunningPortal) -> None:
    """``?template=python`` hung the response and left a kernel behind; now it is ignored."""
    team = running_portal.client()
    team.sign_in(running_portal.raw["kiezbox"])
    start = time.monotonic()
    status, _url, _h, page = team.request("?template=python&theme=dark", timeout=90)
    assert status == 200 and "jupyter-config-data" in page and time.monotonic() - start < 90
    assert len(kernels_of(running_portal.pid)) <= 6


def test_threat_lockout_of_everybody(strict_portal: RunningPortal) -> None:
    """An attacker's wrong tokens lock out that client only (behind the trusted proxy, by its
    X-Real-IP), with back-off; another client signs in at once."""
    attacker = strict_portal.client(**{"X-Real-IP": "203.0.113.66"})
    codes = [attacker.sign_in("x" * 43)[0] for _ in range(7)]
    assert codes[:4] == [401] * 4 and codes[4:] == [429] * 3
    status, body = attacker.sign_in(strict_portal.raw["kiezbox"])
    assert status == 429 and "Zu viele fehlgeschlagene Versuche" in body  # even the right token waits
    team = strict_portal.client(**{"X-Real-IP": "198.51.100.7"})
    assert team.sign_in(strict_portal.raw["kiezbox"])[0] == 303


def test_threat_sign_in_never_expires(hasty_portal: RunningPortal) -> None:
    """A sign-in ends after the configured idle time (here 6 s): its cookie then opens nothing,
    and its kernel is shut down."""
    strict_portal = hasty_portal
    team = strict_portal.client()
    assert team.sign_in(strict_portal.raw["kiezbox"])[0] == 303
    kernel_id = open_page(team)
    time.sleep(10)
    status, url, _h, body = team.request("")
    assert status == 200 and url.split("?")[0].endswith("/login") and "kernelId" not in body
    assert websocket_status(strict_portal.url, kernel_id, cookie_header(team)) == 403
    def alive() -> bool:
        return any(kernel_id in " ".join(k.cmdline()) for k in kernels_of(strict_portal.pid))

    deadline = time.monotonic() + 60  # ended sessions' kernels stop after a short grace
    while alive() and time.monotonic() < deadline:
        time.sleep(1)
    assert not alive()


def test_proxy_header_only_trusted_with_trusted_proxy(hasty_portal: RunningPortal) -> None:
    """Without --trusted-proxy a client cannot escape its lockout by naming another address.
    (Runs after the expiry test on the same portal: it locks 127.0.0.1 out for a minute.)"""
    codes = [Client(hasty_portal.url, {"X-Real-IP": f"10.0.0.{i}", "X-Forwarded-For": f"10.1.0.{i}"})
             .sign_in("y" * 43)[0] for i in range(6)]
    assert codes == [401] * 4 + [429] * 2


def test_threat_kernels_beyond_the_cap(strict_portal: RunningPortal) -> None:
    """At most --max-kernels pages at once: then a clear "busy, try again" page (503) that starts
    nothing; a reload replaces a session's kernel instead of adding one."""
    teams = [strict_portal.client(**{"X-Real-IP": f"192.0.2.{i}"}) for i in range(3)]
    for team in teams[:2]:  # (sign-ins here end after 6 s idle: each team opens its page at once)
        assert team.sign_in(strict_portal.raw["kiezbox"])[0] == 303
        open_page(team)
    assert teams[2].sign_in(strict_portal.raw["kiezbox"])[0] == 303
    status, _url, headers, body = teams[2].request("")
    assert status == 503 and headers.get("Retry-After") and "Der Dienst ist gerade ausgelastet" in body
    assert len(kernels_of(strict_portal.pid)) == 2
    for _ in range(3):  # a session reloading its page keeps at most two kernels (here: the cap)
        open_page(teams[0])
    assert len(kernels_of(strict_portal.pid)) <= 2
    teams[0].request("logout")  # signing out ends the session's kernels at once
    deadline = time.monotonic() + 30
    while len(kernels_of(strict_portal.pid)) > 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert teams[2].sign_in(strict_portal.raw["kiezbox"])[0] == 303
    assert open_page(teams[2])
