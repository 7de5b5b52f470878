"""Every detail key the code writes into the audit log reads as a word in the log's view.

The keys are read from the source (each ``….audit(…)``, ``audit.record(…)`` and
``record_many(…)`` call under ``app/``, following the dicts, names and helper functions that
build its details), so a key added later without a label fails here, not in front of an
administrator reading "trigger: …" among translated words.
"""

from __future__ import annotations

import ast
from pathlib import Path

from app.domain.field_labels import FIELD_LABELS
from app.services.audit_text import DETAIL_LABELS, HIDDEN

APP = Path(__file__).resolve().parents[2] / "app"
# ``from`` is shown with ``to`` as one change ("Status: New → Closed"), never on its own.
PAIRED = {"from"}
Scope = ast.FunctionDef | ast.AsyncFunctionDef


class _Module:
    def __init__(self, tree: ast.Module) -> None:
        self.constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        self.functions: dict[str, Scope] = {
            node.name: node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }

    def key(self, node: ast.expr | None) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        return None

    def keys(
        self, node: ast.expr, scope: Scope | None, seen: frozenset[str] = frozenset()
    ) -> set[str]:
        """The constant keys of the dict ``node`` evaluates to, as far as the source tells."""
        found: set[str] = set()
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:  # ``**other``
                    found |= self.keys(value, scope, seen)
                elif (name := self.key(key)) is not None:
                    found.add(name)
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if called == "dict":
                found |= {kw.arg for kw in node.keywords if kw.arg}
            elif called in self.functions and called not in seen:
                helper = self.functions[called]
                for ret in ast.walk(helper):
                    if isinstance(ret, ast.Return) and ret.value is not None:
                        found |= self.keys(ret.value, helper, seen | {called})
        elif isinstance(node, ast.IfExp):
            found |= self.keys(node.body, scope, seen) | self.keys(node.orelse, scope, seen)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                found |= self.keys(value, scope, seen)
        elif isinstance(node, ast.Tuple):  # a helper's (details, signer)
            for value in node.elts:
                found |= self.keys(value, scope, seen)
        elif isinstance(node, ast.Name) and scope is not None and node.id not in seen:
            found |= self._name_keys(node.id, scope, seen | {node.id})
        return found

    def _name_keys(self, name: str, scope: Scope, seen: frozenset[str]) -> set[str]:
        found: set[str] = set()
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Tuple):  # details, sign = helper(...)
                        named = [t for t in target.elts if isinstance(t, ast.Name)]
                        if any(t.id == name for t in named) and node.value is not None:
                            found |= self.keys(node.value, scope, seen)
                    elif isinstance(target, ast.Name) and target.id == name and node.value:
                        found |= self.keys(node.value, scope, seen)
                    elif (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == name
                        and (key := self.key(target.slice)) is not None
                    ):
                        found.add(key)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "update"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == name
            ):
                for arg in node.args:
                    found |= self.keys(arg, scope, seen)
                found |= {kw.arg for kw in node.keywords if kw.arg}
        return found


def _details_of(call: ast.Call) -> list[ast.expr]:
    """The details argument(s) of an audit call, or none if ``call`` is not one."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return []
    by_keyword = [kw.value for kw in call.keywords if kw.arg == "details"]
    if func.attr == "audit":  # Workspace.audit(session, action, entity, entity_id, details)
        return call.args[4:5] or by_keyword
    owner = func.value.id if isinstance(func.value, ast.Name) else ""
    if func.attr == "record" and owner in {"audit", "audit_log"}:
        return call.args[5:6] or by_keyword
    if func.attr == "record_many" and owner in {"audit", "audit_log"} and len(call.args) > 2:
        entries = call.args[2]
        return [
            element.elts[3]
            for element in ast.walk(entries)
            if isinstance(element, ast.Tuple) and len(element.elts) == 4
        ]
    return []


def written_detail_keys() -> dict[str, str]:
    """Each detail key the code writes, with one place that writes it."""
    keys: dict[str, str] = {}
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = _Module(tree)
        for scope in module.functions.values():
            for node in ast.walk(scope):
                if not isinstance(node, ast.Call):
                    continue
                for details in _details_of(node):
                    for key in module.keys(details, scope):
                        keys.setdefault(key, f"{path.relative_to(APP.parent)}:{node.lineno}")
    return keys


def test_every_detail_key_the_code_writes_has_a_label_or_is_hidden() -> None:
    written = written_detail_keys()
    # The reading of the source found the keys it should (retention's, a letter's, a case's):
    # an empty or short list would pass the check below for nothing.
    assert {"years", "trigger", "closed_on", "number", "categories", "to"} <= set(written)
    assert len(written) > 100
    unlabelled = {
        key: where
        for key, where in written.items()
        if key not in DETAIL_LABELS
        and key not in FIELD_LABELS
        and key not in HIDDEN
        and key not in PAIRED
    }
    assert unlabelled == {}
