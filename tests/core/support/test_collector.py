"""The garbage collector's thresholds: set by the `vigie` entry point and in every worker process."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core.support.collector import THRESHOLDS, tune_collector
from monitor.core.support.workers import close_pool, process_pool


@pytest.fixture
def default_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_the_vigie_command_raises_the_thresholds(default_thresholds: None, data_dir: Path) -> None:
    assert gc.get_threshold() != THRESHOLDS
    assert main(["watchlist", "export"]) == 0
    assert gc.get_threshold() == THRESHOLDS


def test_a_worker_process_has_them_too() -> None:
    pool = process_pool(1)
    try:
        assert pool.submit(gc.get_threshold).result(timeout=60) == THRESHOLDS
    finally:
        close_pool(pool)


def test_cycles_are_still_collected(default_thresholds: None) -> None:
    tune_collector()
    collected = []

    class Node:
        def __init__(self) -> None:
            self.other: Node | None = None

        def __del__(self) -> None:
            collected.append(1)

    for _ in range(THRESHOLDS[0] // 2 + 1):  # enough allocations for at least one young pass
        a, b = Node(), Node()
        a.other, b.other = b, a
    del a, b
    assert collected, "no young pass ran after the threshold's number of allocations"
