"""One PostgreSQL server for the HQ tests of a session (see tests/hq/pg.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.hq.pg import ADMIN_URL_ENV
from tests.pg_cluster import start_cluster


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A superuser's address: QORGAU_TEST_PG_ADMIN_URL, else a throwaway cluster."""
    given = os.environ.get(ADMIN_URL_ENV, "")
    if given:
        yield given
        return
    cluster = start_cluster()
    if cluster is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed; CI runs the HQ tests on it")
        pytest.skip("PostgreSQL is not installed")
    try:
        yield cluster.admin_url
    finally:
        cluster.stop()
