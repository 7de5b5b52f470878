"""A role's label reads whole where a name is followed by it in brackets.

The status bar, "Your role ({role}) does not…" and "Added {user} ({role})." put the label in
brackets; the analyst's own brackets made "(HQ analyst (read and report))".
"""

from __future__ import annotations

import pytest

from app.domain.codes import Role
from app.domain.labels import role as role_label
from app.i18n import LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_role_label_carries_brackets_of_its_own(language: str) -> None:
    labels = [role_label(role, language) for role in Role]
    assert [text for text in labels if "(" in text or ")" in text] == []
