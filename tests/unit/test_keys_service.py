"""KeyService: own keys, and the registry of trusted installations."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pyrage
import pytest

from app.errors import PermissionDenied, ValidationError
from app.services.keys import KeyService, TrustedKey
from app.services.workspace import Workspace
from tests.conftest import OpenWs


def signing_key(seed: int) -> str:
    return base64.b64encode(bytes([seed]) * 32).decode("ascii")


def age_recipient() -> str:
    return str(pyrage.x25519.Identity.generate().to_public())


def test_own_keys_name_this_installation(ws: Workspace) -> None:
    keys = KeyService(ws).own_keys()
    assert keys.mission_code == "SEL"
    assert len(base64.b64decode(keys.signing_key)) == 32
    assert keys.age_recipient.startswith("age1")


def test_nothing_is_trusted_at_first(ws: Workspace) -> None:
    assert KeyService(ws).trusted() == []


def test_trusted_lists_registered_keys_sorted_by_code(ws: Workspace) -> None:
    service = KeyService(ws)
    recipient = age_recipient()
    before = datetime.now(UTC)
    service.trust("TAS", signing_key(2))
    service.trust("AST", signing_key(1), recipient)

    trusted = service.trusted()

    assert [t.code for t in trusted] == ["AST", "TAS"]
    ast, tas = trusted
    assert (ast.signing_key, ast.age_recipient, ast.is_hq) == (signing_key(1), recipient, False)
    assert tas.age_recipient == ""
    assert ast.trusted_at is not None and ast.trusted_at >= before.replace(microsecond=0)
    assert isinstance(ast, TrustedKey)


def test_trusting_again_replaces_the_key_and_keeps_one_row(ws: Workspace) -> None:
    service = KeyService(ws)
    service.trust("AST", signing_key(1))
    service.trust("AST", signing_key(3))
    assert [(t.code, t.signing_key) for t in service.trusted()] == [("AST", signing_key(3))]


def test_a_bad_key_is_refused_and_nothing_is_trusted(ws: Workspace) -> None:
    service = KeyService(ws)
    with pytest.raises(ValidationError, match="32 bytes in base64") as error:
        service.trust("AST", "not-a-key")
    assert error.value.field == "signing_key"
    assert service.trusted() == []


def test_only_admin_or_hq_may_trust_but_anyone_may_list(
    open_ws: OpenWs,
) -> None:
    attache = KeyService(open_ws("aigul"))
    with pytest.raises(PermissionDenied):
        attache.trust("AST", signing_key(1))
    KeyService(open_ws("admin")).trust("AST", signing_key(1))
    assert [t.code for t in attache.trusted()] == ["AST"]


def test_a_mission_marks_headquarters_keys(ws: Workspace) -> None:
    from app.services.installation import _generate_mission_keys

    _pem, signing, _identity, recipient = _generate_mission_keys()
    KeyService(ws).trust("AST", signing, recipient, is_hq=True)
    trusted = KeyService(ws).trusted()
    assert [(t.code, t.is_hq) for t in trusted] == [("AST", True)]
