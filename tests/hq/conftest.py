"""The PostgreSQL server of the HQ tests (see tests/hq/pg.py): the session's one cluster."""

from __future__ import annotations

import os

import pytest

from tests.hq.pg import ADMIN_URL_ENV


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> str:
    """A superuser's address: QORGAU_TEST_PG_ADMIN_URL, else the throwaway cluster every
    PostgreSQL test of the session shares (``pg_cluster``, tests/conftest.py)."""
    given = os.environ.get(ADMIN_URL_ENV, "")
    if given:
        return given
    return str(request.getfixturevalue("pg_cluster").admin_url)
