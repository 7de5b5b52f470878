"""Who may create or change which record through a bundle (docs/bundle-format.md, "Who owns a
record"). ``OwnershipCheck`` runs in the import's transaction before anything is written, a batch
of records at a time in the pass that also plans the merge (``app.exchange.staging``); a record
the bundle's signer does not own refuses the whole bundle, naming the record and the rule.

A signature proves who sent a bundle, not that the sender may change what it carries:

- a case, and everything hanging off it (events, attachments, letters, contract reviews,
  citations, referrals, and the persons and organisations its records reference) belongs to the
  mission that holds the case: the one that opened it, or the one HQ transferred it to
  (``case.holder_mission``);
- agreements, their provisions and the host-country legal tables, and transfers, belong to
  headquarters: ``agreements`` and ``transfer`` bundles are accepted only from the mission
  registered here as HQ;
- a mission's own descriptive record belongs to that mission;
- a record the signer writes may refer only to persons and organisations the signer owns (or
  that are new): a reference is what makes a mission one of their owners.

Only records that would change something are judged: a record the database already holds in the
same version and content, or in a newer version, is left alone whoever sent it (a mission's full
export may still carry a case HQ has since transferred away). A mission is not told when HQ
transfers one of its cases away, so its officers may go on writing on its copy: those changes,
to a case the signer opened or held before the transfer, are left out (``LeftOut``), not
written, and the rest of the bundle is imported. Refused, they stopped every later bundle of that
mission too, its full export included. Versions move forward by at most
``MAX_VERSION_STEP``, so no bundle can put a record out of its owner's reach with a huge version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.listed import one_of
from app.db.models import Case, ContractReview, Mission, PartnerReferral, Returnee
from app.exchange.format import HQ_ENTITIES, HQ_KINDS, BundleKind
from app.exchange.merge import CHUNK, local_records, same_content
from app.exchange.package import BundleRefused, VerifiedBundle
from app.exchange.records import BY_NAME, Codec
from app.i18n import N_, Said, _, lazy, say_again

# A record's version grows by one at each save. Ten thousand saves of one record between two
# exchanges is far beyond any real use, and far below the 2**63 that would freeze a record.
MAX_VERSION_STEP = 10_000

# Records hanging off a case by their case_id.
CASE_CHILDREN = frozenset(
    {
        "case_event",
        "attachment",
        "partner_referral",
        "contract_review",
        "case_citation",
        "letter",
        # A returnee started from a case hangs off it; one without a case belongs to the
        # installation that made it (a mission, or HQ when the returnee contacted HQ).
        "returnee",
    }
)
# Records that cases and their children reference, owned through those references.
SHARED = frozenset({"person", "employer", "recruitment_agency", "partner_organisation"})


@dataclass(frozen=True)
class LeaveOut:
    """A change to a case the signer held before HQ transferred it away: not written."""

    number: str  # the case's
    holder: str  # who holds it now


Refused = BundleRefused | LeaveOut | None


@dataclass
class LeftOut:
    """What a bundle's signer changed in cases it no longer holds: not written."""

    ids: dict[str, set[str]] = field(default_factory=dict)  # entity name → record ids
    cases: dict[str, str] = field(default_factory=dict)  # case number → its holder now

    def __bool__(self) -> bool:
        return bool(self.ids)

    def count(self) -> int:
        return sum(len(ids) for ids in self.ids.values())


@dataclass(frozen=True)
class _Local:
    """What ownership needs of the database's copy of a record."""

    version: int
    origin: str
    case_id: str | None = None
    number: str = ""
    mission_code: str = ""
    holder: str = ""
    former: frozenset[str] = frozenset()  # a case's origin and the mission it was moved from


_Pair = tuple[dict[str, Any], _Local | None]  # a record of the bundle, and its copy here


def _held_before(origin: str | None, moved_from: str | None) -> frozenset[str]:
    """The missions that held a case before its holder: the one that opened it, and the one
    HQ last moved it from."""
    return frozenset(m for m in (origin, moved_from) if m)


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _label(entity: str, record: dict[str, Any]) -> str:
    if entity == "case":
        number = record["number"]
        return Said(lazy(N_("case {number}"), number=number))
    if entity == "mission":
        code = record["code"]
        return Said(lazy(N_("mission {code}"), code=code))
    return f"{entity} {record['id']}"


class _Refusal:
    def __init__(self, signer: str) -> None:
        self.signer = signer

    def __call__(self, message: Callable[[], str], **values: Any) -> BundleRefused:
        # Composed when shown, so a refusal on screen follows a language switch.
        def text() -> str:
            said = {k: say_again(v) if isinstance(v, str) else v for k, v in values.items()}
            reason = message().format(signer=self.signer, **said)
            return _("The bundle from {signer} is refused: {reason}").format(
                signer=self.signer, reason=reason
            )

        return BundleRefused(text)


class OwnershipCheck:
    """Who may write what, judged a batch of records at a time in the bundle's entity order
    (``ENTITIES``: a case before what hangs off it): ``begin``, then ``batch`` for each batch
    of an entity and ``end_entity`` after its last, so that the records are read once for this
    check and the merge plan together. A refusal is raised as soon as it is certain."""

    def __init__(self, session: Session, bundle: VerifiedBundle, here: str) -> None:
        self.session = session
        self.bundle = bundle
        self.here = here
        self.signer = bundle.source
        self.refuse = _Refusal(bundle.source)
        # Who holds each case the bundle carries: all ownership needs of them besides a batch.
        # Gathered as the cases go by, which come before every record that hangs off one.
        self.bundle_cases: dict[str, str] = {}
        # The bundle's cases and shared records this database did not hold when their batch
        # was judged: what refers to them need not ask for them again (a round trip a batch
        # for a first bundle). A row written here since is caught as the plan's staleness
        # (``stale``, under the write lock), as for the merge plan's own skipped look-ups.
        self._absent: dict[str, set[str]] = {}
        self.left_out = LeftOut()
        # An equal-version record of another's that differs from the copy here: raised at
        # the end of its entity, once no write of the entity is refused.
        self._differing: BundleRefused | None = None
        # Each shared record's owners and former holders, by entity (``_shared_owners``): the
        # cases here do not change while the bundle is judged (a save meanwhile makes the plan
        # stale, as for every look-up of this pass).
        self._owners: dict[str, dict[str, tuple[set[str], dict[str, LeaveOut]]]] = {}
        # And each case's holder, number and former holders, read once (``_cases``): the
        # events of one case come in several batches.
        self._held_cases: dict[str, tuple[str, str, frozenset[str]]] = {}

    # -- the database's copies ------------------------------------------------------------------

    def _load(self, entity: str, ids: list[str]) -> dict[str, _Local]:
        model: Any = BY_NAME[entity].model.__table__.c  # type: ignore[attr-defined] # Core
        columns = [model.id, model.version, model.origin_mission]
        if entity == "case":
            columns += [
                model.number,
                model.mission_code,
                model.holder_mission,
                model.transferred_from,
            ]
        elif entity in CASE_CHILDREN:
            columns.append(model.case_id)
        found: dict[str, _Local] = {}
        connection = self.session.connection()
        for chunk in _chunks(ids):
            for row in connection.execute(select(*columns).where(one_of(model.id, chunk))):
                if entity == "case":
                    former = _held_before(row[2], row[6])
                    found[row[0]] = _Local(row[1], row[2], None, row[3], row[4], row[5], former)
                elif entity in CASE_CHILDREN:
                    found[row[0]] = _Local(row[1], row[2], row[3])
                else:
                    found[row[0]] = _Local(row[1], row[2])
        return found

    @staticmethod
    def _local(entity: str, record: dict[str, Any]) -> _Local:
        """What ``_load`` reads of a record, from the whole copy here (``local_records``)."""
        version, origin = record["version"], record["origin_mission"]
        if entity == "case":
            former = _held_before(origin, record["transferred_from"])
            number, code, holder = (
                record["number"],
                record["mission_code"],
                record["holder_mission"],
            )
            return _Local(version, origin, None, number, code, holder, former)
        if entity in CASE_CHILDREN:
            return _Local(version, origin, record.get("case_id"))
        return _Local(version, origin)

    def _case_holders(self, case_ids: Iterable[str]) -> dict[str, str]:
        return {case_id: holder for case_id, (holder, _n, _f) in self._cases(case_ids).items()}

    def _cases(self, case_ids: Iterable[str]) -> dict[str, tuple[str, str, frozenset[str]]]:
        """Each case's holder, number, and the missions that held it before (its origin and
        the one it was transferred from)."""
        known, ids = self._held_cases, set(case_ids)
        wanted = sorted(ids - known.keys())
        found: dict[str, tuple[str, str, frozenset[str]]] = {}
        columns = (
            Case.id,
            Case.holder_mission,
            Case.number,
            Case.origin_mission,
            Case.transferred_from,
        )
        for chunk in _chunks(wanted):
            for case_id, holder, number, origin, moved_from in self.session.execute(
                select(*columns).where(one_of(Case.id, chunk))
            ):
                found[case_id] = (holder, number, _held_before(origin, moved_from))
        known.update(found)
        return {c: known[c] for c in ids if c in known}

    def _leave_out(self, entity: str, record: dict[str, Any], why: LeaveOut) -> None:
        self.left_out.ids.setdefault(entity, set()).add(record["id"])
        self.left_out.cases[why.number] = why.holder

    def _candidates(
        self, entity: str, rows: list[dict[str, Any]], here: dict[str, dict[str, Any]] | None
    ) -> tuple[list[_Pair], list[_Pair], bool]:
        """Records that would create or change a row (new or a higher version), and records in
        the same version as here, which change something only if their content differs (then
        they become a conflict someone may accept); and whether any of ``rows`` is here."""
        if here is None:
            local = self._load(entity, [r["id"] for r in rows])
        else:
            local = {i: self._local(entity, record) for i, record in here.items()}
        if entity == "mission":
            # Merging takes a mission's details whatever their version: all are judged.
            return [(r, local.get(r["id"])) for r in rows], [], bool(local)
        writes: list[_Pair] = []
        equal: list[_Pair] = []
        for record in rows:
            mine = local.get(record["id"])
            if mine is None or record["version"] > mine.version:
                writes.append((record, mine))
            elif record["version"] == mine.version:
                equal.append((record, mine))
        return writes, equal, bool(local)

    # -- the rules ------------------------------------------------------------------------------

    def begin(self) -> None:
        """The checks of the bundle's kind, before any record."""
        self._check_kind()

    def batch(
        self, entity: str, rows: list[dict[str, Any]], here: dict[str, dict[str, Any]] | None = None
    ) -> bool:
        """Judge a batch of ``entity``'s records, given their copies here (``local_records``)
        if they were read already; whether the database holds any of them."""
        if entity == "case":
            self.bundle_cases.update((r["id"], r["holder_mission"]) for r in rows)
        writes, equal, held = self._candidates(entity, rows, here)
        if entity == "case" or entity in SHARED:
            absent = self._absent.setdefault(entity, set())
            absent.update(record["id"] for record, mine in writes if mine is None)
        for record, refusal in self._breaches(entity, writes):
            if isinstance(refusal, LeaveOut):
                self._leave_out(entity, record, refusal)
            else:
                raise refusal
        # An owner's unchanged records cost nothing more; another's are compared with the
        # copy here, and only a real difference refuses the bundle (or is left out, from a
        # former holder).
        suspects = self._breaches(entity, equal)
        if suspects and self._differing is None:
            codec = Codec(BY_NAME[entity])
            if here is None:
                here = local_records(self.session, codec, [r["id"] for r, _x in suspects])
            for record, refusal in suspects:
                if same_content(here[record["id"]], record, entity):
                    continue
                if isinstance(refusal, LeaveOut):
                    self._leave_out(entity, record, refusal)
                elif self._differing is None:
                    self._differing = refusal
        return held

    def end_entity(self) -> None:
        """After an entity's last batch: its differing equal-version record, if any."""
        differing, self._differing = self._differing, None
        if differing is not None:
            raise differing

    def _breaches(
        self, entity: str, pairs: list[_Pair]
    ) -> list[tuple[dict[str, Any], BundleRefused | LeaveOut]]:
        """Every record of ``pairs`` the signer may not write, with the refusal it earns (or,
        from a former holder of its case, the reason it is left out)."""
        if not pairs:
            return []
        found = [(r, self._version_breach(entity, r, m)) for r, m in pairs]
        if self.bundle.kind is BundleKind.CASES:
            found += self._cases_bundle_breaches(entity, pairs)
            found += self._reference_breaches(entity, pairs)
        elif self.bundle.kind is BundleKind.TRANSFER:
            found += [(r, self._transfer_breach(entity, r)) for r, _m in pairs]
        return [(r, refused) for r, refused in found if refused is not None]

    def _check_kind(self) -> None:
        if self.bundle.kind not in HQ_KINDS:
            return
        is_hq = self.session.execute(
            select(Mission.is_hq).where(Mission.code == self.signer, Mission.is_local.is_(False))
        ).scalar_one_or_none()
        if not is_hq:
            raise self.refuse(
                lazy(
                    N_(
                        "bundles of kind {kind} may come only from headquarters, and {signer} is "
                        "not registered here as headquarters (HQ's key is registered with "
                        "'qorgau keys trust CODE KEY --hq')"
                    )
                ),
                kind=self.bundle.kind.value,
            )
        if self.bundle.kind is BundleKind.TRANSFER and not self.bundle.manifest.get(
            "target_mission"
        ):
            raise self.refuse(
                lazy(N_("a transfer bundle must name the mission it is addressed to"))
            )

    def _version_breach(self, entity: str, record: dict[str, Any], mine: _Local | None) -> Refused:
        before = mine.version if mine is not None else 0
        if record["version"] - before <= MAX_VERSION_STEP:
            return None
        return self.refuse(
            lazy(
                N_(
                    "{record} jumps from version {old} to version {new}; a bundle may raise a "
                    "record's version by at most {step}"
                )
            ),
            record=_label(entity, record),
            old=before,
            new=record["version"],
            step=MAX_VERSION_STEP,
        )

    def _transfer_breach(self, entity: str, record: dict[str, Any]) -> Refused:
        """HQ owns a transfer: it may hand cases, with what hangs off them, to this mission,
        or tell this mission that cases it held are handed to another (a notice)."""
        handed_away = record.get("transferred_from") == self.here
        if entity == "case" and record["holder_mission"] != self.here and not handed_away:
            return self.refuse(
                lazy(
                    N_(
                        "{record} is handed to {holder}, but a transfer may hand cases only "
                        "to the mission it is addressed to ({here})"
                    )
                ),
                record=_label(entity, record),
                holder=record["holder_mission"],
                here=self.here,
            )
        if entity in CASE_CHILDREN and record.get("case_id") not in self.bundle_cases:
            return self.refuse(
                lazy(
                    N_(
                        "{record} belongs to a case the transfer does not carry; a transfer "
                        "carries only its cases and what hangs off them"
                    )
                ),
                record=_label(entity, record),
            )
        return None

    def _cases_bundle_breaches(
        self, entity: str, pairs: list[_Pair]
    ) -> list[tuple[dict[str, Any], Refused]]:
        if entity == "mission":
            return [(r, self._mission_breach(r)) for r, _m in pairs]
        if entity in HQ_ENTITIES:
            return [
                (
                    r,
                    self.refuse(
                        lazy(
                            N_(
                                "{record} belongs to headquarters; only HQ's agreements bundles "
                                "change it"
                            )
                        ),
                        record=_label(entity, r),
                    ),
                )
                for r, _m in pairs
            ]
        if entity == "case":
            return [(r, self._case_breach(r, m)) for r, m in pairs]
        if entity in CASE_CHILDREN:
            return self._children_breaches(entity, pairs)
        if entity in SHARED:
            return self._shared_breaches(entity, pairs)
        return []

    def _mission_breach(self, record: dict[str, Any]) -> Refused:
        if record["code"] == self.signer and record["origin_mission"] == self.signer:
            return None
        return self.refuse(
            lazy(N_("it carries the details of {record}; a mission may send only its own")),
            record=_label("mission", record),
        )

    def _new_breach(self, entity: str, record: dict[str, Any]) -> Refused:
        if record["origin_mission"] == self.signer:
            return None
        return self.refuse(
            lazy(
                N_(
                    "{record} is new here and claims to come from {origin}; a bundle from "
                    "{signer} may create only records that {signer} made"
                )
            ),
            record=_label(entity, record),
            origin=record["origin_mission"],
        )

    def _case_breach(self, record: dict[str, Any], mine: _Local | None) -> Refused:
        label = _label("case", record)
        code = record["number"].split("-", 1)[0]
        if code != record["mission_code"] or record["mission_code"] != record["origin_mission"]:
            return self.refuse(
                lazy(
                    N_(
                        "the number of {record} names mission {code}, which is not the mission "
                        "that opened it ({mission}, origin {origin})"
                    )
                ),
                record=label,
                code=code,
                mission=record["mission_code"],
                origin=record["origin_mission"],
            )
        if mine is None:
            if record["holder_mission"] == self.signer:
                return self._new_breach("case", record)
            return self._new_breach("case", record) or self.refuse(
                lazy(
                    N_(
                        "{record} is new here and held by {holder}; a bundle from {signer} may "
                        "create only cases that {signer} holds"
                    )
                ),
                record=label,
                holder=record["holder_mission"],
            )
        if mine.holder != self.signer:
            if self.signer in mine.former:
                return LeaveOut(mine.number, mine.holder)
            return self.refuse(
                lazy(
                    N_(
                        "{record} is held by {holder}; a bundle from {signer} may change only the "
                        "cases {signer} holds"
                    )
                ),
                record=label,
                holder=mine.holder,
            )
        if (record["number"], record["mission_code"], record["origin_mission"]) != (
            mine.number,
            mine.mission_code,
            mine.origin,
        ):
            return self.refuse(
                lazy(N_("{record} would change its number, mission or origin, which never change")),
                record=_label("case", {"number": mine.number}),
            )
        if record["holder_mission"] != mine.holder:
            return self.refuse(
                lazy(
                    N_(
                        "{record} would be handed to {holder}; only a transfer from headquarters "
                        "moves a case to another mission"
                    )
                ),
                record=label,
                holder=record["holder_mission"],
            )
        return None

    def _children_breaches(
        self, entity: str, pairs: list[_Pair]
    ) -> list[tuple[dict[str, Any], Refused]]:
        case_ids = {r.get("case_id") for r, _m in pairs} | {
            m.case_id for _r, m in pairs if m is not None
        }
        absent = self._absent.get("case", set())
        cases = self._cases(c for c in case_ids if c and c not in absent)
        return [(r, self._child_breach(entity, r, m, cases)) for r, m in pairs]

    def _child_breach(
        self,
        entity: str,
        record: dict[str, Any],
        mine: _Local | None,
        cases: dict[str, tuple[str, str, frozenset[str]]],
    ) -> Refused:
        if mine is None:
            refusal = self._new_breach(entity, record)
            if refusal is not None:
                return refusal
        elif mine.case_id is None and mine.origin != self.signer:
            # Its maker owns a record without a case, whatever case the bundle hangs it on:
            # a case of the signer's own would make the record the signer's.
            return self.refuse(
                lazy(
                    N_(
                        "{record} was made by {owner}; a bundle from {signer} may change "
                        "only the records {signer} owns"
                    )
                ),
                record=_label(entity, record),
                owner=mine.origin,
            )
        for case_id in (record.get("case_id"), mine.case_id if mine else None):
            if not case_id:
                continue
            holder, number, former = cases.get(case_id, (None, "", frozenset()))
            if holder is None and case_id in self.bundle_cases:
                holder = self.bundle_cases[case_id]  # judged as a case
            if holder is not None and holder != self.signer:
                if self.signer in former:
                    return LeaveOut(number, holder)
                return self.refuse(
                    lazy(
                        N_(
                            "{record} hangs off a case held by {holder}; a bundle from {signer} "
                            "may change only what hangs off the cases {signer} holds"
                        )
                    ),
                    record=_label(entity, record),
                    holder=holder,
                )
        return None

    def _shared_breaches(
        self, entity: str, pairs: list[_Pair]
    ) -> list[tuple[dict[str, Any], Refused]]:
        owners, formerly = self._shared_owners(entity, [r["id"] for r, m in pairs if m is not None])
        found: list[tuple[dict[str, Any], Refused]] = []
        for record, mine in pairs:
            if mine is None:
                found.append((record, self._new_breach(entity, record)))
                continue
            theirs = owners.get(record["id"]) or {mine.origin}
            if self.signer in theirs:
                continue
            moved = formerly.get(record["id"], {}).get(self.signer)
            if moved is not None:  # a case of the signer's, transferred away, refers to it
                found.append((record, moved))
                continue
            found.append(
                (
                    record,
                    self.refuse(
                        lazy(
                            N_(
                                "{record} belongs to {owners} (through the cases that refer to "
                                "it); a bundle from {signer} may change only the records {signer} "
                                "owns"
                            )
                        ),
                        record=_label(entity, record),
                        owners=", ".join(sorted(theirs)),
                    ),
                )
            )
        return found

    def _reference_breaches(
        self, entity: str, pairs: list[_Pair]
    ) -> list[tuple[dict[str, Any], Refused]]:
        """A record the signer writes may point only at the persons and organisations here
        that the signer may change itself: a reference makes its holder one of the record's
        owners, so a case of one's own pointed at another mission's person was the key to
        rewriting that person in the next bundle. A record not here yet is judged as new."""
        found: list[tuple[dict[str, Any], Refused]] = []
        for column, target in BY_NAME[entity].references.items():
            if target not in SHARED:
                continue
            absent = self._absent.get(target, set())
            wanted = {r[column] for r, _m in pairs if r.get(column)} - absent
            here = self._load(target, sorted(wanted)) if wanted else {}
            owners, formerly = self._shared_owners(target, list(here))
            foreign = {
                ref: owners.get(ref) or {mine.origin}
                for ref, mine in here.items()
                if self.signer not in (owners.get(ref) or {mine.origin})
                and self.signer not in formerly.get(ref, {})
            }
            found += [
                (
                    record,
                    self.refuse(
                        lazy(
                            N_(
                                "{record} refers to {target}, which belongs to {owners}; a bundle "
                                "from {signer} may refer only to the records {signer} owns"
                            )
                        ),
                        record=_label(entity, record),
                        target=_label(target, {"id": record[column]}),
                        owners=", ".join(sorted(foreign[record[column]])),
                    ),
                )
                for record, _m in pairs
                if record.get(column) in foreign
            ]
        return found

    def _shared_owners(
        self, entity: str, ids: list[str]
    ) -> tuple[dict[str, set[str]], dict[str, dict[str, LeaveOut]]]:
        """Holders of the cases (here) that refer to each record, directly or through a child;
        and, by the missions that held one of those cases before, why their change of the
        record is left out. Each record's are read once an import: an employer is referred to
        by a case of every batch, and asking again read all its cases each time (21 reads of
        some 9,000 cases each for a 10k bundle)."""
        known = self._owners.setdefault(entity, {})
        unread = [i for i in ids if i not in known]
        if unread:
            owners, formerly = self._read_shared_owners(entity, unread)
            known.update((i, (owners.get(i, set()), formerly.get(i, {}))) for i in unread)
        found = [(i, known[i]) for i in ids]
        return (
            {i: holders for i, (holders, _f) in found if holders},
            {i: former for i, (_h, former) in found if former},
        )

    def _read_shared_owners(
        self, entity: str, ids: list[str]
    ) -> tuple[dict[str, set[str]], dict[str, dict[str, LeaveOut]]]:
        owners: dict[str, set[str]] = {}
        formerly: dict[str, dict[str, LeaveOut]] = {}

        def add(pairs: Iterable[tuple[Any, Any]]) -> None:
            for record_id, holder in pairs:
                owners.setdefault(str(record_id), set()).add(str(holder))

        def add_former(record_id: str, case: tuple[str, str, frozenset[str]]) -> None:
            holder, number, former = case
            for mission in former - {holder}:
                formerly.setdefault(record_id, {}).setdefault(mission, LeaveOut(number, holder))

        direct: dict[str, Any] = {
            "person": Case.person_id,
            "employer": Case.employer_id,
            "recruitment_agency": Case.agency_id,
        }
        for chunk in _chunks(ids):
            column = direct.get(entity)
            if column is not None:
                rows = self.session.execute(
                    select(column, Case.id).where(one_of(column, chunk))
                ).all()
                cases = self._cases(case_id for _ref, case_id in rows)
                add((ref, cases[case_id][0]) for ref, case_id in rows)
                for ref, case_id in rows:
                    add_former(str(ref), cases[case_id])
            if entity == "person":
                self._add_through(add, ContractReview, ContractReview.person_id, chunk)
                self._add_through(add, Returnee, Returnee.person_id, chunk)
            if entity == "partner_organisation":
                self._add_through(add, PartnerReferral, PartnerReferral.partner_id, chunk)
        return owners, formerly

    def _add_through(self, add: Any, model: Any, column: Any, chunk: Sequence[str]) -> None:
        rows = self.session.execute(
            select(column, model.case_id, model.origin_mission).where(one_of(column, chunk))
        ).all()
        holders = self._case_holders(r[1] for r in rows if r[1])
        add(
            (ref, holders.get(case_id, origin) if case_id else origin)
            for ref, case_id, origin in rows
        )
