"""Packing a bundle (ZIP, sign, encrypt) and unpacking one with every check done up front.

``read_bundle`` decrypts, checks the ZIP's structure against the limits, the manifest against
its schema, the signature against the registered key, every member's size and SHA-256, and every
record against its schema. It returns a ``VerifiedBundle`` or raises ``BundleRefused``; it never
touches a database, so a refused bundle cannot leave anything behind.

Plain text never goes to disk: export spools its members encrypted (``MemberSpool``) and
streams the ZIP through age into the file (``write_bundle``). Reading streams: pyrage
decrypts in 8 KiB steps into an encrypted spool (``app.exchange.spool``); the signed manifest,
which comes first, is checked before anything else is kept, and it bounds how much more may
follow. Records are parsed, files are hashed in chunks and read again only when merged, and a
file no record refers to is refused, so memory stays bounded whatever the bundle holds.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import stat
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from app.domain.filenames import clean_filename
from app.errors import IntegrityError
from app.exchange.fastcheck import FORMAT_CHECKER, EcmaValidator, compile_record
from app.exchange.format import (
    DEFAULT_LIMITS,
    FILE_MEMBER,
    FORMAT,
    FORMAT_VERSION,
    KIND_ENTITIES,
    MANIFEST,
    RECORD_MEMBER,
    SIGNATURE,
    BundleKind,
    Limits,
    manifest_schema,
)
from app.exchange.records import BY_NAME, ENTITIES, TEXT_PATTERN, record_schema
from app.exchange.spool import EncryptedSpool
from app.exchange.values import (
    control_character_problem,
    impossible_value_problem,
    may_hold_control_character,
)
from app.exchange.zipstream import (
    LOCAL,
    LOCAL_MAGIC,
    ZipEntry,
    ZipStream,
    deflater,
    whole_member,
)
from app.i18n import N_, Said, _, format_number, lazy, say_again
from app.os_errors import os_error_text
from app.security.private_files import sync_file
from app.untrusted import UNREADABLE_ZIP

ProgressFn = Callable[[int, int, str], None]
# Record columns that name a file the UI may write to disk.
FILE_NAME_COLUMNS = {"attachment": "filename"}


class BundleRefused(IntegrityError):
    """A bundle that fails a check; nothing has been written."""


class NoIdentityOpens(BundleRefused):
    """No age identity tried opens the bundle: it was encrypted for other recipients (or none
    is kept here). An identity file kept elsewhere may open it; the desktop offers one."""


class KeyToRegister(BundleRefused):
    """Refused until someone registers the source's (new) key: an administrator's task."""


class UnknownSigner(KeyToRegister):
    """The bundle's source has no signing key registered here (``source`` names it)."""

    def __init__(self, message: str | Callable[[], str], source: str) -> None:
        super().__init__(message)
        self.source = source


class BundleReplayed(BundleRefused):
    """A bundle with the id of one imported before that is another file: made with
    ``source``'s signing key over other records (a forgery or a replay)."""

    def __init__(self, message: str | Callable[[], str], source: str) -> None:
        super().__init__(message)
        self.source = source


class NotAnIdentityFile(BundleRefused):
    """The identity file given cannot be read or holds something other than age keys."""


@dataclass
class VerifiedBundle:
    manifest: dict[str, Any]
    records: dict[str, RecordStream]  # re-read from the spool at each pass, never all held
    files: Mapping[str, bytes]
    file_sha256: str
    size: int = 0
    warnings: list[str] = field(default_factory=list)
    closer: Callable[[], None] | None = None

    def close(self) -> None:
        """Drop the encrypted spool that holds the files (also done when collected)."""
        if self.closer is not None:
            self.closer()
            self.closer = None

    @property
    def bundle_id(self) -> str:
        return str(self.manifest["bundle_id"])

    @property
    def kind(self) -> BundleKind:
        return BundleKind(self.manifest["kind"])

    @property
    def source(self) -> str:
        return str(self.manifest["source_mission"])


# -- schemas ------------------------------------------------------------------------------------


@cache
def _manifest_validator() -> Draft202012Validator:
    return EcmaValidator(manifest_schema(), format_checker=FORMAT_CHECKER)


@cache
def _record_validator(entity: str) -> Draft202012Validator:
    return EcmaValidator(record_schema(BY_NAME[entity]), format_checker=FORMAT_CHECKER)


@cache
def _record_check(entity: str, text_is_clean: bool) -> Callable[[Any], bool]:
    """The compiled schema check; ``text_is_clean`` for a record whose JSON text cannot hold a
    control character, whose strings then all match the free-text pattern (which only
    refuses control characters) without it being searched once per field."""
    assumed = frozenset({TEXT_PATTERN}) if text_is_clean else frozenset()
    return compile_record(record_schema(BY_NAME[entity]), assumed)


def _schema_problem(validator: Draft202012Validator, document: Any) -> str | None:
    error = best_match(validator.iter_errors(document))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(top)"
    return Said(lambda: f"{where}: {_schema_reason(error)}")


# What a schema refused, in words. jsonschema's own message is English and quotes the value
# whole: a person's name, a description of a megabyte, in the operator's dialog and the log.
_SCHEMA_REASONS = {
    "maxLength": N_("longer than {limit} characters"),
    "minLength": N_("shorter than {limit} characters"),
    "maxItems": N_("more than {limit} items"),
    "minItems": N_("fewer than {limit} items"),
    "maximum": N_("more than {limit}"),
    "minimum": N_("less than {limit}"),
    "enum": N_("not one of its codes"),
    "const": N_("not the value it must have"),
    "pattern": N_("not in the form it must have"),
    "format": N_("not a valid date, time or identifier"),
    "type": N_("a value of the wrong type"),
}
_NAME_SHOWN = 64  # a field name from outside, cut where a name could not be longer


def _schema_reason(error: Any) -> str:
    """``error`` (a jsonschema ValidationError) said without the value it refused."""
    kind, rule, instance = error.validator, error.validator_value, error.instance
    if kind == "required" and isinstance(instance, dict):
        missing = next((str(n) for n in rule if n not in instance), "")
        return _("the field {name} is missing").format(name=missing[:_NAME_SHOWN])
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {})
        extra = next((str(n) for n in instance if n not in known), "")
        return _("the field {name} is not one the schema knows").format(name=extra[:_NAME_SHOWN])
    reason = _SCHEMA_REASONS.get(kind)
    if reason is None:
        return _("a value the schema does not allow")
    return _(reason).format(limit=format_number(rule) if isinstance(rule, int) else rule)


# -- writing ------------------------------------------------------------------------------------


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_records(records: Iterable[dict[str, Any]]) -> bytes:
    """Records as a ``records/<entity>.jsonl`` member holds them: one compact JSON object per
    line, keys sorted, UTF-8 (orjson: the same text as ``json`` with these options, 10× faster)."""
    lines = [orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in records]
    return b"\n".join(lines) + b"\n" if lines else b""


def sign(private_pem: bytes, data: bytes) -> bytes:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(private_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise IntegrityError(_("This installation's signing key is not an Ed25519 key."))
    return key.sign(data)


def build_payload(
    manifest: dict[str, Any],
    records: dict[str, bytes],
    files: dict[str, bytes],
    signing_pem: bytes,
) -> bytes:
    """The ZIP: completes ``manifest`` with the members' hashes and sizes, then signs it."""
    members: list[tuple[str, bytes, int]] = []
    for entity, data in records.items():
        members.append((f"records/{entity}.jsonl", data, zipfile.ZIP_DEFLATED))
    for sha256, data in sorted(files.items()):
        # Scans and PDFs barely compress; storing them is as small and much faster.
        members.append((f"files/{sha256}", data, zipfile.ZIP_STORED))
    manifest = {
        **manifest,
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "files": len(files),
        "members": [{"name": n, "sha256": _digest(d), "size": len(d)} for n, d, _c in members],
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    signature = base64.b64encode(sign(signing_pem, manifest_bytes))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compresslevel=6) as archive:
        archive.writestr(MANIFEST, manifest_bytes, zipfile.ZIP_DEFLATED)
        archive.writestr(SIGNATURE, signature, zipfile.ZIP_STORED)
        for name, data, compression in members:
            archive.writestr(name, data, compression)
    return buffer.getvalue()


def encrypt_to_file(payload: bytes, recipients: Iterable[str], out: Path) -> None:
    keys = [pyrage.x25519.Recipient.from_str(r) for r in dict.fromkeys(recipients)]
    with out.open("wb") as handle:
        pyrage.encrypt_io(io.BytesIO(payload), handle, keys)


# -- reading ------------------------------------------------------------------------------------


def parse_identities(text: str) -> list[pyrage.x25519.Identity]:
    """Identities from an age key file: AGE-SECRET-KEY-1... lines; '#' lines are comments."""
    identities = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(pyrage.x25519.Identity.from_str(line))
        except Exception:  # noqa: BLE001 - pyrage raises its own error types
            raise BundleRefused(
                lazy(N_("The identity file holds a line that is not an age key."))
            ) from None
    if not identities:
        raise BundleRefused(lazy(N_("The identity file holds no age key.")))
    return identities


# An age key file is a few lines; a bundle or a photo chosen by mistake is refused unread.
IDENTITY_FILE_MAX_BYTES = 64 * 1024


def read_identity_file(path: Path) -> list[pyrage.x25519.Identity]:
    """The age identities of a key file the user names (``--identity``, the desktop's "Use an
    identity file…"). Its content is read for this import only: no message quotes it."""
    try:
        with path.open("rb") as handle:
            data = handle.read(IDENTITY_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise NotAnIdentityFile(
            _("The identity file cannot be read: {error}").format(error=os_error_text(exc))
        ) from None
    try:
        text = data.decode("utf-8") if len(data) <= IDENTITY_FILE_MAX_BYTES else None
    except UnicodeDecodeError:  # its message would quote the file's bytes
        text = None
    if text is None:
        raise NotAnIdentityFile(
            _(
                "This file is not an age identity file: such a file is short text with a line "
                "that starts with AGE-SECRET-KEY-1."
            )
        )
    try:
        return parse_identities(text)
    except BundleRefused as exc:
        raise NotAnIdentityFile(str(exc)) from None


def decrypt(data: bytes, identities: list[pyrage.x25519.Identity]) -> bytes:
    """A small payload decrypted in memory (tools and tests; import streams instead)."""
    try:
        return pyrage.decrypt(data, identities)
    except pyrage.DecryptError as exc:
        _refuse_decrypt_error(exc)
        raise  # pragma: no cover - _refuse_decrypt_error always raises


def _check_structure(archive: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise BundleRefused(
            lazy(
                N_("The bundle has {n} members; at most {limit} are allowed."),
                n=len(infos),
                limit=limits.max_members,
            )
        )
    by_name: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if not name:  # zipfile's own checks (is_dir) would fail on it
            raise BundleRefused(lazy(N_("The bundle's content is not a valid archive.")))
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            raise BundleRefused(
                lazy(N_("The bundle holds a member with an absolute path: {name}"), name=name)
            )
        if ".." in name.replace("\\", "/").split("/") or "\\" in name:
            raise BundleRefused(
                lazy(N_("The bundle holds a member that points outside it: {name}"), name=name)
            )
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode) or info.is_dir():
            raise BundleRefused(
                lazy(
                    N_("The bundle holds a link or folder, which is not allowed: {name}"), name=name
                )
            )
        if name in by_name:
            raise BundleRefused(lazy(N_("The bundle holds the member {name} twice."), name=name))
        if name not in (MANIFEST, SIGNATURE) and not (
            RECORD_MEMBER.match(name) or FILE_MEMBER.match(name)
        ):
            raise BundleRefused(
                lazy(N_("The bundle holds an unexpected member: {name}"), name=name)
            )
        if info.flag_bits & 0x1 or info.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            raise BundleRefused(
                lazy(N_("The member {name} uses an unsupported ZIP feature."), name=name)
            )
        ceiling = limits.max_file_bytes if FILE_MEMBER.match(name) else limits.max_member_bytes
        if info.file_size > ceiling:
            raise BundleRefused(lazy(N_("The member {name} is larger than allowed."), name=name))
        total += info.file_size
        by_name[name] = info
    if total > limits.max_total_bytes:
        raise BundleRefused(lazy(N_("The bundle unpacks to more than the allowed total size.")))
    for required in (MANIFEST, SIGNATURE):
        if required not in by_name:
            raise BundleRefused(lazy(N_("The bundle has no {name}."), name=required))
    return by_name


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, declared: int) -> bytes:
    """At most ``declared`` bytes; a member that holds more is refused, not read whole."""
    try:
        with archive.open(info) as handle:
            data = handle.read(declared + 1)
    except UNREADABLE_ZIP:
        raise BundleRefused(lazy(N_("The member {name} is damaged."), name=info.filename)) from None
    if len(data) > declared:
        raise BundleRefused(
            lazy(N_("The member {name} is larger than the manifest declares."), name=info.filename)
        )
    return data


def _verify_signature(
    manifest_bytes: bytes,
    signature_text: bytes,
    source: str,
    key_of: Callable[[str], str | None],
    hq_codes: Collection[str] = (),
) -> None:
    """``hq_codes``: the installations trusted here as headquarters, whose replaced key is
    told apart in the refusal (a mission registers it with ``--hq``)."""
    key_b64 = key_of(source)
    if not key_b64:
        raise UnknownSigner(
            lazy(
                N_(
                    "The bundle comes from {code}, whose signing key is not registered here. "
                    "Confirm the key's fingerprint with {code} by a separate channel (telephone, "
                    "diplomatic mail), register it (Exchange → Keys → Trust a key…, or qorgau "
                    "keys trust {code} KEY) and import the bundle again."
                ),
                code=source,
            ),
            source,
        )
    try:
        signature = base64.b64decode(signature_text.strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key_b64)).verify(
            signature, manifest_bytes
        )
    except (InvalidSignature, binascii.Error, ValueError):
        # Checked before anything is read into the database. The likeliest honest cause is a
        # replaced key (a mission replaces it at every revocation); otherwise it is a forgery.
        if source in hq_codes:
            raise KeyToRegister(_hq_key_replaced(source)) from None
        raise KeyToRegister(
            lazy(
                N_(
                    "The bundle's signature does not match the registered key of {code}: it was "
                    "signed with another key, or changed after signing. {code} may have replaced "
                    "its signing key (a mission does so whenever it revokes a user): confirm the "
                    "new key's fingerprint with {code} by a separate channel (telephone, "
                    "diplomatic mail), then register it (Exchange → Keys → Trust a key…, or "
                    "qorgau keys trust {code} KEY) and import the bundle again. If {code} did not "
                    "replace its key, the bundle is forged: do not import it."
                ),
                code=source,
            )
        ) from None


def _hq_key_replaced(code: str) -> Callable[[], str]:
    """HQ's signature does not match at a mission: HQ replaces its keys only by hand
    (``keys rotate`` at HQ), and every mission then trusts the new ones with ``--hq``."""
    return lazy(
        N_(
            "The bundle's signature does not match the registered key of headquarters "
            "({code}): it was signed with another key, or changed after signing. Headquarters "
            "may have replaced its signing key and age recipient: ask headquarters by a "
            "separate channel (telephone, diplomatic mail) for the fingerprints of its new "
            "key and recipient, compare them with those of the keys you received, then "
            "register both (Exchange → Keys → Trust a key…, “These are headquarters' keys”, "
            "or qorgau keys trust {code} KEY --hq --age-recipient RECIPIENT) and import the "
            "bundle again. If headquarters did not replace its key, the bundle is forged: do "
            "not import it."
        ),
        code=code,
    )


# How deep a bundle's JSON may nest. Qorgau's own nests a few levels; orjson reads up to 1,024,
# but Python's json (the database's JSON columns, the audit hash) and every recursive walk
# over a value stop near 1,000: a value nested 900 deep went in and broke later readers, one
# 1,000 deep broke the import with an internal error instead of a refusal.
MAX_NESTING = 64


def _parse_json(data: bytes, what: str) -> Any:
    try:
        value = orjson.loads(data)  # strict JSON: no NaN, valid UTF-8, no lone surrogates
    except (orjson.JSONDecodeError, RecursionError):
        raise BundleRefused(lazy(N_("{what} is not valid JSON."), what=what)) from None
    # Only a text with that many brackets can nest that deep: most records skip the walk.
    if data.count(b"{") + data.count(b"[") > MAX_NESTING and _nesting(value) > MAX_NESTING:
        raise BundleRefused(
            lazy(
                N_("{what} nests its values more than {limit} levels deep."),
                what=what,
                limit=MAX_NESTING,
            )
        )
    return value


def _nesting(value: Any) -> int:
    """How many levels of objects and arrays ``value`` has, walked without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


class _Intake:
    """Where pyrage writes the decrypted ZIP: checks the signed manifest first, then caps.

    Qorgau writes ``manifest.json`` and ``manifest.sig`` as the first two members, so their
    local headers arrive first. Until both are in and the signature checks out only they are
    kept in memory (bounded by the manifest limit); after that the stream may be at most as
    large as the signed manifest declares, and everything goes to the encrypted spool. Junk,
    an unsigned or a lying bundle is refused after its first few bytes, whatever its size.
    """

    def __init__(
        self,
        spool: EncryptedSpool,
        limits: Limits,
        key_of: Callable[[str], str | None],
        hq_codes: Collection[str] = (),
    ) -> None:
        self.spool = spool
        self.limits = limits
        self.key_of = key_of
        self.hq_codes = hq_codes
        self.prefix = bytearray()
        self.manifest: dict[str, Any] | None = None
        self.manifest_bytes = b""
        self.cap: int | None = None

    def write(self, data: bytes) -> int:
        self.spool.write(data)
        if self.cap is None:
            self.prefix += data
            self._try_prefix()
        elif self.spool.size > self.cap:
            raise BundleRefused(lazy(N_("The bundle is larger than the manifest declares.")))
        return len(data)

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        if self.cap is None:
            raise BundleRefused(lazy(N_("The bundle's content is not a valid archive.")))

    def _try_prefix(self) -> None:
        if len(self.prefix) >= 4 and self.prefix[:4] != LOCAL_MAGIC:
            raise BundleRefused(lazy(N_("The bundle's content is not a valid archive.")))
        if len(self.prefix) > self.limits.max_manifest_bytes + 4096:
            raise BundleRefused(lazy(N_("The bundle's manifest is larger than allowed.")))
        first = _local_member(self.prefix, 0, self.limits.max_manifest_bytes)
        if first is None:
            return
        name, manifest_bytes, end = first
        second = _local_member(self.prefix, end, 4096)
        if second is None:
            return
        signature_name, signature, _end = second
        if (name, signature_name) != (MANIFEST, SIGNATURE):
            raise BundleRefused(
                lazy(
                    N_(
                        "The bundle does not begin with its signed manifest; "
                        "it was not made by Qorgau."
                    )
                )
            )
        manifest = _checked_manifest(manifest_bytes)
        _verify_signature(
            manifest_bytes, signature, manifest["source_mission"], self.key_of, self.hq_codes
        )
        self.cap = _declared_cap(manifest, len(self.prefix), self.limits)
        self.manifest, self.manifest_bytes = manifest, manifest_bytes
        self.prefix = bytearray()
        if self.spool.size > self.cap:
            raise BundleRefused(lazy(N_("The bundle is larger than the manifest declares.")))


# Bytes a ZIP adds around each member (local header, central entry, zip64 extras), generously.
_MEMBER_OVERHEAD = 512


def _local_member(prefix: bytearray, offset: int, limit: int) -> tuple[str, bytes, int] | None:
    """The member whose local header starts at ``offset``: (name, content, end), or None
    while more bytes are needed. Only what zipfile writes for small members is accepted."""
    if len(prefix) < offset + LOCAL.size:
        return None
    magic, _v, flags, method, _t, _d, _crc, packed, size, name_len, extra_len = LOCAL.unpack_from(
        prefix, offset
    )
    if magic != LOCAL_MAGIC or flags & 0x9 or method not in (zipfile.ZIP_STORED, 8):
        raise BundleRefused(
            lazy(
                N_("The bundle does not begin with its signed manifest; it was not made by Qorgau.")
            )
        )
    if packed > limit or size > limit:
        raise BundleRefused(lazy(N_("The bundle's manifest is larger than allowed.")))
    start = offset + LOCAL.size + name_len + extra_len
    end = start + packed
    if len(prefix) < end:
        return None
    name = bytes(prefix[offset + LOCAL.size : offset + LOCAL.size + name_len]).decode(
        "utf-8", "replace"
    )
    content = bytes(prefix[start:end])
    if method == 8:
        inflater = zlib.decompressobj(-15)
        try:
            content = inflater.decompress(content, size + 1)
        except zlib.error:
            raise BundleRefused(lazy(N_("The member {name} is damaged."), name=name)) from None
    if len(content) != size:
        raise BundleRefused(lazy(N_("The member {name} is damaged."), name=name))
    return name, content, end


def _checked_manifest(manifest_bytes: bytes) -> dict[str, Any]:
    manifest = _parse_json(manifest_bytes, MANIFEST)
    if not isinstance(manifest, dict):
        raise BundleRefused(lazy(N_("{what} is not valid JSON."), what=MANIFEST))
    if manifest.get("format") != FORMAT:
        raise BundleRefused(lazy(N_("This file is not a Qorgau bundle.")))
    if manifest.get("version") != FORMAT_VERSION:
        raise BundleRefused(
            lazy(
                N_("The bundle uses format version {v}; this Qorgau reads version {ours}."),
                v=manifest.get("version"),
                ours=FORMAT_VERSION,
            )
        )
    problem = _schema_problem(_manifest_validator(), manifest)
    if problem:
        raise BundleRefused(
            lazy(
                N_("The bundle's manifest breaks the format: {problem}"), problem=say_again(problem)
            )
        )
    return manifest


def _declared_cap(manifest: dict[str, Any], head: int, limits: Limits) -> int:
    """How large the decrypted ZIP may be, from the signed sizes of its members."""
    members = manifest["members"]
    if len(members) + 2 > limits.max_members:
        raise BundleRefused(
            lazy(
                N_("The bundle has {n} members; at most {limit} are allowed."),
                n=len(members) + 2,
                limit=limits.max_members,
            )
        )
    total = 0
    for member in members:
        ceiling = (
            limits.max_file_bytes
            if FILE_MEMBER.match(member["name"])
            else (limits.max_member_bytes)
        )
        if member["size"] > ceiling:
            raise BundleRefused(
                lazy(N_("The member {name} is larger than allowed."), name=member["name"])
            )
        total += member["size"]
    if total > limits.max_total_bytes:
        raise BundleRefused(lazy(N_("The bundle unpacks to more than the allowed total size.")))
    # Deflate may grow incompressible data a little; the rest is headers.
    return head + total + total // 100 + (len(members) + 2) * _MEMBER_OVERHEAD + 65536


class _HashingReader(io.RawIOBase):
    """The bundle file as pyrage reads it, hashed on the way (no second pass, no copy)."""

    def __init__(self, handle: BinaryIO) -> None:
        super().__init__()
        self._handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._handle.readinto(buffer)  # type: ignore[attr-defined]
        if count:
            self.digest.update(memoryview(buffer)[:count])
            self.size += count
        return count or 0


def _decrypt_to_spool(
    source: BinaryIO,
    identities: list[pyrage.x25519.Identity],
    key_of: Callable[[str], str | None],
    limits: Limits,
    spool: EncryptedSpool,
    hq_codes: Collection[str] = (),
) -> tuple[_Intake, _HashingReader]:
    reader = _HashingReader(source)
    intake = _Intake(spool, limits, key_of, hq_codes)
    try:
        pyrage.decrypt_io(io.BufferedReader(reader, 65536), intake, identities)
    except pyrage.DecryptError as exc:
        _refuse_decrypt_error(exc)
    except OSError as exc:
        if exc.errno is None:  # pyrage's word for a damaged or truncated age stream
            _refuse_decrypt_error(exc)
        raise BundleRefused(
            lazy(N_("The bundle cannot be read: {error}"), error=os_error_text(exc))
        ) from None
    intake.finish()
    return intake, reader


def _refuse_decrypt_error(exc: Exception) -> None:
    if "no matching keys" in str(exc).lower():
        raise NoIdentityOpens(
            _(
                "The bundle is not encrypted for this installation "
                "(it was made for another recipient)."
            )
        ) from None
    raise BundleRefused(
        lazy(N_("The bundle cannot be decrypted: the file is damaged or truncated."))
    ) from None


def read_bundle(
    data: bytes | BinaryIO,
    identities: list[pyrage.x25519.Identity],
    key_of: Callable[[str], str | None],
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressFn | None = None,
    spool_folder: Path | None = None,
    hq_codes: Collection[str] = (),
) -> VerifiedBundle:
    """Decrypt and check everything; see the module's docstring. ``hq_codes``: the
    installations trusted here as headquarters (their refusals say so).

    ``data`` is the bundle's bytes or an open binary file; memory stays bounded either way
    (file contents stay in an encrypted spool until a record needs them).
    """
    source: BinaryIO = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    spool = EncryptedSpool(spool_folder)
    try:
        intake, reader = _decrypt_to_spool(source, identities, key_of, limits, spool, hq_codes)
        if reader.size > limits.max_bundle_bytes:
            raise BundleRefused(lazy(N_("The bundle file is larger than allowed.")))
        manifest = intake.manifest
        assert manifest is not None  # intake.finish() refused a stream without one
        try:
            archive = zipfile.ZipFile(spool.reader())
        except UNREADABLE_ZIP:
            raise BundleRefused(lazy(N_("The bundle's content is not a valid archive."))) from None
        infos = _check_structure(archive, limits)
        if infos[MANIFEST].header_offset != 0 or (
            _read_capped(archive, infos[MANIFEST], len(intake.manifest_bytes))
            != intake.manifest_bytes
        ):
            raise BundleRefused(
                lazy(N_("The bundle's archive lists a manifest other than the signed one."))
            )
        records, files = _read_members(archive, infos, manifest, limits, progress)
    except BaseException:
        spool.close()
        raise
    bundle = _records_of(manifest, records, files, reader.digest.hexdigest(), reader.size)
    bundle.closer = spool.close
    return bundle


def _read_members(
    archive: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    manifest: dict[str, Any],
    limits: Limits,
    progress: ProgressFn | None,
) -> tuple[dict[str, RecordStream], _SpooledFiles]:
    """Records checked as they stream by (nothing of them is kept but their ids while one
    member is checked), then file members hashed in chunks; nobody's file is unreferenced."""
    declared = {m["name"]: m for m in manifest["members"]}
    if len(declared) != len(manifest["members"]):
        raise BundleRefused(lazy(N_("The manifest lists a member twice.")))
    present = set(infos) - {MANIFEST, SIGNATURE}
    for name in sorted(present - set(declared)):
        raise BundleRefused(lazy(N_("The member {name} is not in the manifest."), name=name))
    for name in sorted(set(declared) - present):
        raise BundleRefused(
            lazy(N_("The member {name} listed in the manifest is missing."), name=name)
        )
    for name, entry in declared.items():
        info = infos[name]
        if info.file_size != entry["size"]:
            raise BundleRefused(
                lazy(N_("The member {name} is larger than the manifest declares."), name=name)
                if info.file_size > entry["size"]
                else lazy(
                    N_("The member {name} does not have the size the manifest declares."),
                    name=name,
                )
            )
    kind = BundleKind(manifest["kind"])
    file_names = sorted(n for n in declared if FILE_MEMBER.match(n))
    held = {n.removeprefix("files/") for n in file_names}
    records: dict[str, RecordStream] = {}
    referenced: set[str] = set()
    for name in sorted(n for n in declared if not FILE_MEMBER.match(n)):
        match = RECORD_MEMBER.match(name)
        entity = match.group(1) if match else ""
        if entity not in BY_NAME or entity not in KIND_ENTITIES[kind]:
            raise BundleRefused(
                lazy(
                    N_("A bundle of kind {kind} may not carry {entity} records."),
                    kind=kind.value,
                    entity=entity,
                )
            )
        # The hash first, so that nothing unsigned is ever parsed; then one checking pass.
        _hash_streamed(archive, infos[name], declared[name])
        count = _check_records(archive, infos[name], entity, limits, held, referenced)
        records[entity] = RecordStream(archive, infos[name], entity, limits, count)
        if progress:
            progress(0, 0, _("Checking records"))
    for name in file_names:
        if name.removeprefix("files/") not in referenced:
            raise BundleRefused(
                lazy(N_("The bundle holds the file {name}, which no record refers to."), name=name)
            )
    for done, name in enumerate(file_names, start=1):
        _hash_streamed(archive, infos[name], declared[name])
        if progress and done % 200 == 0:
            progress(done, len(file_names), _("Checking members"))
    files = _SpooledFiles(
        archive, {n.removeprefix("files/"): (infos[n], declared[n]) for n in file_names}
    )
    return records, files


def _check_digest(name: str, data: bytes, entry: dict[str, Any]) -> None:
    if len(data) != entry["size"] or _digest(data) != entry["sha256"]:
        raise BundleRefused(
            lazy(
                N_("The member {name} was changed: its hash does not match the manifest."),
                name=name,
            )
        )


def _hash_streamed(archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry: dict[str, Any]) -> None:
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(min(_CHUNK, entry["size"] + 1 - size)):
                size += len(chunk)
                digest.update(chunk)
                if size > entry["size"]:
                    break
    except UNREADABLE_ZIP:
        raise BundleRefused(lazy(N_("The member {name} is damaged."), name=info.filename)) from None
    if size > entry["size"]:
        raise BundleRefused(
            lazy(N_("The member {name} is larger than the manifest declares."), name=info.filename)
        )
    if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
        raise BundleRefused(
            lazy(
                N_("The member {name} was changed: its hash does not match the manifest."),
                name=info.filename,
            )
        )


_CHUNK = 1024 * 1024


class _SpooledFiles(Mapping[str, bytes]):
    """sha256 -> content, read from the spool only when merge asks for one file."""

    def __init__(
        self, archive: zipfile.ZipFile, members: dict[str, tuple[zipfile.ZipInfo, dict[str, Any]]]
    ) -> None:
        self._archive = archive
        self._members = members

    def __getitem__(self, sha256: str) -> bytes:
        info, entry = self._members[sha256]
        data = _read_capped(self._archive, info, entry["size"])
        _check_digest(info.filename, data, entry)
        return data

    def __iter__(self) -> Iterator[str]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)


def _records_of(
    manifest: dict[str, Any],
    records: dict[str, RecordStream],
    files: Mapping[str, bytes],
    file_sha256: str,
    size: int,
) -> VerifiedBundle:
    _check_counts(manifest, records, files)
    return VerifiedBundle(manifest, records, files, file_sha256, size)


def _lines(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> Iterator[bytes]:
    """The member's lines, read a chunk at a time; a line longer than a record may be is
    refused before it is buffered whole. Empty lines come too (they keep the numbering)."""
    pending = b""
    number = 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                lines = (pending + chunk).split(b"\n")
                pending = lines.pop()
                for line in lines:
                    number += 1
                    yield line
                if len(pending) > limits.max_record_bytes:
                    break
    except UNREADABLE_ZIP:
        raise BundleRefused(lazy(N_("The member {name} is damaged."), name=info.filename)) from None
    if len(pending) > limits.max_record_bytes:
        raise BundleRefused(
            lazy(
                N_("Record {n} of {name} is larger than allowed."), n=number + 1, name=info.filename
            )
        )
    if pending:
        yield pending


def _checked_record(name: str, entity: str, number: int, line: bytes, limits: Limits) -> Any:
    """One line of ``records/<entity>.jsonl`` parsed and held to its schema, or refused."""
    if len(line) > limits.max_record_bytes:
        raise BundleRefused(
            lazy(N_("Record {n} of {name} is larger than allowed."), n=number, name=name)
        )
    record = _parse_json(line, f"{name}:{number}")
    # Control characters first, so that no message below echoes one.
    text_is_clean = not may_hold_control_character(line)
    problem = (
        control_character_problem(entity, record)
        if type(record) is dict and not text_is_clean
        else None
    )
    if problem:
        raise BundleRefused(
            lazy(
                N_("Record {n} of {name} is refused: {problem}"),
                n=number,
                name=name,
                problem=say_again(problem),
            )
        )
    if not _record_check(entity, text_is_clean)(record):
        # The compiled check decides (dates included: format checking is on); an
        # impossible date is named in words, anything else as jsonschema explains it.
        problem = (
            (impossible_value_problem(entity, record) if type(record) is dict else None)
            or _schema_problem(_record_validator(entity), record)
            or _("a value's type")
        )
        raise BundleRefused(
            lazy(
                N_("Record {n} of {name} breaks the schema: {problem}"),
                n=number,
                name=name,
                problem=say_again(problem),
            )
        )
    return record


def _check_records(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    entity: str,
    limits: Limits,
    files: set[str],
    referenced: set[str],
) -> int:
    """Every record of the member checked (schema, one id once, its file in the bundle);
    the files records refer to are added to ``referenced``. Returns how many records."""
    name = info.filename
    digest_column = BY_NAME[entity].digest_column
    seen: set[str] = set()
    for number, line in enumerate(_lines(archive, info, limits), start=1):
        if not line:
            continue
        record = _checked_record(name, entity, number, line, limits)
        if record["id"] in seen:
            raise BundleRefused(
                lazy(
                    N_("The {entity} record {id} appears twice in the bundle."),
                    entity=entity,
                    id=record["id"],
                )
            )
        seen.add(record["id"])
        digest = record.get(digest_column) if digest_column else None
        if digest:
            referenced.add(digest)
            if record.get("deleted_at") is None and digest not in files:
                raise BundleRefused(
                    lazy(
                        N_("The {entity} record {id} refers to a file the bundle does not hold."),
                        entity=entity,
                        id=record["id"],
                    )
                )
    return len(seen)


class RecordStream:
    """The records of one member, parsed again from the encrypted spool each time they are
    iterated: an import holds a batch of records at a time, never the bundle's.

    They were hashed and checked against their schema when the bundle was read; the spool is
    sealed with a key only this process knows, so the bytes read again are those checked."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        entity: str,
        limits: Limits,
        count: int,
    ) -> None:
        self._archive = archive
        self._info = info
        self._limits = limits
        self.entity = entity
        self.count = count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        column = FILE_NAME_COLUMNS.get(self.entity)
        for line in _lines(self._archive, self._info, self._limits):
            if line:
                record: dict[str, Any] = orjson.loads(line)
                if column:  # a name from another installation is a name, never a path
                    record[column] = clean_filename(record[column])
                yield record

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def batches(self, size: int) -> Iterator[list[dict[str, Any]]]:
        """The records, ``size`` at a time."""
        batch: list[dict[str, Any]] = []
        for record in self:
            batch.append(record)
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch


def _check_counts(
    manifest: dict[str, Any], records: dict[str, RecordStream], files: Mapping[str, bytes]
) -> None:
    counts = manifest["counts"]
    for entity in (e.name for e in ENTITIES):
        held = records.get(entity)
        if counts.get(entity, 0) != (held.count if held is not None else 0):
            raise BundleRefused(
                lazy(
                    N_("The manifest's count of {entity} records does not match the bundle."),
                    entity=entity,
                )
            )
    if manifest["files"] != len(files):
        raise BundleRefused(lazy(N_("The manifest's count of files does not match the bundle.")))


# -- writing, streamed ----------------------------------------------------------------------------


_PIECE = 1024 * 1024  # JSON lines gathered per piece handed to the deflating thread
_AHEAD = 4  # pieces waiting for that thread at most: memory stays a few MiB


@dataclass(frozen=True)
class _Spooled:
    entry: ZipEntry
    offset: int  # where its stored (compressed) bytes begin in the spool
    sha256: str  # of the plain member, as the manifest names it


class _InOrder:
    """Work run on one background thread in the order it is given; the caller waits only when
    ``_AHEAD`` pieces are queued. A failure there is raised to the caller at its next call."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qorgau-deflate")
        self._queued: deque[Future[None]] = deque()

    def submit(self, work: Callable[..., None], *args: Any) -> None:
        self._queued.append(self._pool.submit(work, *args))
        while len(self._queued) > _AHEAD:
            self._queued.popleft().result()

    def drain(self) -> None:
        while self._queued:
            self._queued.popleft().result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class _MemberWriter:
    """One member on its way into the spool: hashed, checksummed and (for records) deflated
    a piece at a time. Runs on the spool's background thread: zlib and hashlib let go of the
    interpreter lock, so the JSON of the next records is made meanwhile."""

    def __init__(self, spool: EncryptedSpool, name: str, method: int) -> None:
        self._spool = spool
        self._name = name
        self._method = method
        self._deflater = deflater() if method == zipfile.ZIP_DEFLATED else None
        self._digest = hashlib.sha256()
        self._crc = 0
        self._size = 0
        self._offset = -1

    def feed(self, piece: bytes) -> None:
        if self._offset < 0:
            self._offset = self._spool.size
        self._digest.update(piece)
        self._crc = zlib.crc32(piece, self._crc)
        self._size += len(piece)
        self._spool.write(self._deflater.compress(piece) if self._deflater else piece)

    def seal(self, into: list[_Spooled]) -> None:
        if self._deflater:
            self._spool.write(self._deflater.flush())
        if self._size:  # an empty member is left out
            packed = self._spool.size - self._offset
            entry = ZipEntry(self._name, self._method, self._crc, self._size, packed)
            into.append(_Spooled(entry, self._offset, self._digest.hexdigest()))


def _pieces(lines: Iterable[bytes], count: list[int]) -> Iterator[bytes]:
    """``lines`` joined into pieces of about ``_PIECE`` bytes, each line ended by ``\n``;
    ``count[0]`` counts the lines."""
    batch: list[bytes] = []
    size = 0
    for line in lines:
        batch.append(line)
        size += len(line) + 1
        if size >= _PIECE:
            count[0] += len(batch)
            yield b"\n".join(batch) + b"\n"
            batch, size = [], 0
    if batch:
        count[0] += len(batch)
        yield b"\n".join(batch) + b"\n"


class MemberSpool:
    """A bundle's members written one after another, hashed and compressed on the way, into an
    encrypted spool: the manifest, which comes first in the ZIP, needs every member's hash and
    size, and memory holds none of them whole (a 100k-case export is some 250 MB of records).
    Hashing and deflating run on a background thread beside the caller's reading and encoding.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._spool = EncryptedSpool(folder)
        self._members: list[_Spooled] = []
        self._worker = _InOrder()

    @property
    def members(self) -> list[_Spooled]:
        """The members written so far (waits for the background thread to finish them)."""
        self._worker.drain()
        return self._members

    def add(self, name: str, pieces: Iterable[bytes], compression: int) -> int:
        """Write one member from ``pieces``; returns its size. An empty member is left out."""
        writer = _MemberWriter(self._spool, name, compression)
        size = 0
        for piece in pieces:
            size += len(piece)
            self._worker.submit(writer.feed, piece)
        self._worker.submit(writer.seal, self._members)
        return size

    def add_records(self, entity: str, records: Iterable[dict[str, Any]]) -> int:
        """``records/<entity>.jsonl`` from ``records``, encoded as ``encode_records`` does;
        returns how many records it holds."""
        count = [0]
        lines = (orjson.dumps(record, option=orjson.OPT_SORT_KEYS) for record in records)
        self.add(f"records/{entity}.jsonl", _pieces(lines, count), zipfile.ZIP_DEFLATED)
        return count[0]

    def add_chunks(self, entity: str, chunks: Iterable[tuple[int, bytes]]) -> int:
        """``records/<entity>.jsonl`` from record lines already joined, ``(how many, text)``
        (``app.exchange.sqljson``); returns how many records it holds."""
        count = [0]

        def texts() -> Iterator[bytes]:
            for lines, text in chunks:
                count[0] += lines
                yield text

        self.add(f"records/{entity}.jsonl", texts(), zipfile.ZIP_DEFLATED)
        return count[0]

    def add_file(self, sha256: str, content: bytes) -> None:
        # Scans and PDFs barely compress; storing them is as small and much faster.
        self.add(f"files/{sha256}", (content,), zipfile.ZIP_STORED)

    def stored(self, member: _Spooled) -> Iterator[bytes]:
        """The member's bytes as the ZIP stores them."""
        reader = self._spool.reader()
        reader.seek(member.offset)
        left = member.entry.packed
        while left:
            chunk = reader.read(min(_CHUNK, left))
            if not chunk:  # pragma: no cover - the spool holds what was written
                raise OSError("the bundle spool ended early")
            left -= len(chunk)
            yield chunk

    def close(self) -> None:
        self._worker.close()
        self._spool.close()


def _zip_bytes(manifest: bytes, signature: bytes, members: MemberSpool) -> Iterator[bytes]:
    """The bundle's ZIP: the manifest and its signature first, then the members as stored."""
    archive = ZipStream()
    for entry, packed in (
        whole_member(MANIFEST, manifest, zipfile.ZIP_DEFLATED),
        whole_member(SIGNATURE, signature, zipfile.ZIP_STORED),
    ):
        yield from archive.member(entry, (packed,))
    for member in members.members:
        yield from archive.member(member.entry, members.stored(member))
    yield archive.end()


class _StreamReader(io.RawIOBase):
    """A readable view of an iterator of byte strings, for ``pyrage.encrypt_io``. pyrage turns
    an error raised while it reads or writes into its own ``EncryptError``, Ctrl+C's
    ``KeyboardInterrupt`` included; ``failure`` keeps the first (of this reader or of
    ``_HashingWriter``), so the caller can raise it as it was (a full disk, a bundle too large,
    the person's interrupt)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._left = memoryview(b"")
        self.failure: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            try:
                chunk = next(self._chunks, None)
            except BaseException as exc:
                self.failure = self.failure or exc
                raise
            if chunk is None:
                return 0
            self._left = memoryview(chunk)
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


class _HashingWriter(io.RawIOBase):
    """Writes through to ``handle`` and hashes what passes: the bundle's own SHA-256 without
    reading the file back."""

    def __init__(self, handle: BinaryIO, failures: _StreamReader) -> None:
        super().__init__()
        self._handle = handle
        self._failures = failures
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        try:
            self.digest.update(data)
            return self._handle.write(data)
        except BaseException as exc:  # a full disk; Ctrl+C (see _StreamReader)
            self._failures.failure = self._failures.failure or exc
            raise


def write_bundle(
    manifest: dict[str, Any],
    members: MemberSpool,
    files: int,
    signing_pem: bytes,
    recipients: Iterable[str],
    out: Path,
) -> str:
    """The same bundle as ``build_payload`` + ``encrypt_to_file``, streamed: the manifest is
    completed with the members' hashes and signed, and the ZIP is made from the spooled members
    as age encrypts it into ``out``. Returns the SHA-256 of the file written."""
    manifest = {
        **manifest,
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "files": files,
        "members": [
            {"name": m.entry.name, "sha256": m.sha256, "size": m.entry.size}
            for m in members.members
        ],
    }
    # What an importer would refuse is not written (BundleRefused, as the importer says it).
    _declared_cap(manifest, 0, DEFAULT_LIMITS)
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    signature = base64.b64encode(sign(signing_pem, manifest_bytes))
    keys = [pyrage.x25519.Recipient.from_str(r) for r in dict.fromkeys(recipients)]
    plain = _StreamReader(_zip_bytes(manifest_bytes, signature, members))
    with out.open("wb") as handle:
        hashing = _HashingWriter(handle, plain)
        try:
            pyrage.encrypt_io(io.BufferedReader(plain, _CHUNK), hashing, keys)
        except pyrage.EncryptError:
            if plain.failure is not None:
                raise plain.failure from None
            raise
        sync_file(handle)  # on the disk before it is renamed into place and logged as sent
    return hashing.digest.hexdigest()
