"""The import's one pass over a bundle (``app.exchange.staging``) relies on the order of
``ENTITIES``: a record's reference targets, and the case a record hangs off, go by before it."""

from __future__ import annotations

from app.exchange.ownership import CASE_CHILDREN
from app.exchange.records import ENTITIES


def test_every_reference_target_comes_before_the_records_that_refer_to_it() -> None:
    place = {entity.name: i for i, entity in enumerate(ENTITIES)}
    for entity in ENTITIES:
        for column, target in entity.references.items():
            assert place[target] < place[entity.name], (entity.name, column, target)
    assert all(place["case"] < place[child] for child in CASE_CHILDREN)
