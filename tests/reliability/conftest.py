"""The long stress runs (``@pytest.mark.slow``) run only when asked: ``make stress``
(``pytest -m slow``, QORGAU_STRESS=full). Without a ``-m`` expression they are deselected
here, so the default ``pytest`` run stays short even before addopts says ``-m "not slow"``.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("markexpr"):
        return
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item.get_closest_marker("slow") is None]
