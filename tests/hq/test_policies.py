"""The installation's policies (idle lock, retention period, days to wait for a reply) at an
HQ on a database server: every HQ administrator sets them, not only the first one init made,
who may leave; an analyst's change is refused and the value stays."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import PermissionDenied
from app.services import retention
from app.services import settings as policies
from tests.hq.pg import DocumentedTemplate, ServerHq, documented_hq
from tests.pg_cluster import Cluster


@pytest.fixture
def server_hq(
    pg_cluster: Cluster, documented_hq_template: DocumentedTemplate, tmp_path: Path
) -> Iterator[ServerHq]:
    users = {"erlan": "hq_admin", "dana": "hq_analyst"}
    with documented_hq(pg_cluster, documented_hq_template, tmp_path / "hq", users) as hq:
        yield hq


def test_a_second_hq_administrator_sets_the_policies_an_analyst_may_not(
    server_hq: ServerHq,
) -> None:
    erlan, dana = server_hq.sign_in("erlan"), server_hq.sign_in("dana")
    try:
        # Before, "Your role (HQ administrator) does not allow this action": once the first
        # administrator left, no one could change them.
        policies.set_idle_lock_minutes(erlan, 30)
        policies.set_reply_wait_days(erlan, 21)
        retention.set_retention_years(erlan, 7)
        with pytest.raises(PermissionDenied, match="does not allow this action"):
            policies.set_idle_lock_minutes(dana, 5)
        assert policies.idle_lock_minutes(dana) == 30
        assert policies.reply_wait_days(dana) == 21
        assert retention.retention_years(dana) == 7
    finally:
        erlan.close()
        dana.close()
