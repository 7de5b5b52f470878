"""An import's checks against the database and its merge plan, in one pass over the records.

Reading the bundle (``read_bundle``) checked every record on its own: its hash, signature and
schema. What depends on this database (who may write what, what the records refer to, and
which of them are new, newer, older or in conflict) is judged here, a batch at a time as the
records stream from the encrypted spool once: each pass decrypts, inflates and parses the
records again, and these checks had three of their own besides the plan's.

The refusals keep their order: ownership first (a refused record is named before any other
check), then what ``between`` checks (the audit history), then the references.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.db.models import Mission
from app.exchange import merge
from app.exchange.merge import MergePlan, Planner, ReferenceCheck, local_records
from app.exchange.ownership import LeftOut, OwnershipCheck
from app.exchange.package import VerifiedBundle
from app.exchange.records import ENTITIES, Codec


def check_and_plan(
    session: Session,
    bundle: VerifiedBundle,
    here: str,
    schema: str,
    seq: int,
    between: Callable[[], bool],
) -> tuple[LeftOut, MergePlan | None]:
    """Check ``bundle`` against ``session``'s database and plan its merge, in one pass over its
    records; ``here`` is this installation's mission code, ``schema`` the staging schema and
    ``seq`` the change counter read before the checks. ``between`` runs once ownership is
    judged and before the references: False there means the merge cannot be planned in this
    snapshot (the shipped library must be seeded first), and the plan is None."""
    ownership = OwnershipCheck(session, bundle, here)
    ownership.begin()
    references = ReferenceCheck(bundle)
    planner = Planner(session, schema, seq)
    for entity in ENTITIES:
        stream = bundle.records.get(entity.name)
        if not stream:
            continue
        skipped = ownership.left_out.ids.setdefault(entity.name, set())
        codec = Codec(entity)
        for rows in stream.batches(merge.CHUNK):  # read when called: tests make it small
            # The copies here of the batch's records, read once for both: ownership asked for
            # their versions and owners, then the plan for the same rows whole (for a 10k
            # update bundle, 55,000 events looked up twice).
            ids = [r["id"] for r in rows]
            copies = None if entity.model is Mission else local_records(session, codec, ids)
            held = ownership.batch(entity.name, rows, copies)
            references.batch(entity, rows)
            planner.add(entity, rows, skipped, held, copies)
        ownership.end_entity()
        references.end_entity(session, entity)
        if not skipped:
            del ownership.left_out.ids[entity.name]  # LeftOut is true only with a record
    if not between():
        return ownership.left_out, None
    references.check()
    return ownership.left_out, planner.finish()
