"""The kernel cap counts kernels that keep running: one being shut down (a closed tab, a reload)
does not turn the next page load away. The served explorer's 40-load test is the end-to-end check
(it met the "busy" page before this rule)."""

from __future__ import annotations

from pathlib import Path

from impact.apps.guards import ServingState
from impact.apps.serving import ServeConfig
from impact.apps.sessions import SessionRegistry


def _state(ids: list[str]) -> ServingState:
    return ServingState(config=ServeConfig(notebook=Path("app.ipynb"), max_kernels=2),
                        registry=SessionRegistry(idle=60), kernel_ids=lambda: list(ids))


def test_a_kernel_being_shut_down_does_not_count() -> None:
    ids = ["a", "b"]
    state = _state(ids)
    assert state.running() == 2
    state.retiring.add("a")
    assert state.running() == 1
    ids.remove("a")  # shut down: gone from the manager
    state.retiring.discard("a")
    assert state.running() == 1


def test_retiring_ids_the_manager_no_longer_lists_are_ignored() -> None:
    state = _state(["b"])
    state.retiring.add("gone")
    assert state.running() == 1
