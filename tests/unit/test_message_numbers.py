"""Counts over 999 in messages as the user's language groups their digits.

«Аудит журналына рұқсатсыз өзгеріс енгізілген (12000 ақау)»: a count put in a
sentence raw has no group separators beside «2 500 000 теңге» elsewhere, and a Russian or
Kazakh reader takes the English comma for a decimal one. Each count here goes through
``format_number``.
"""

from __future__ import annotations

import pytest

from app.i18n import language_override
from app.services.audit_log import tampered_message

GROUPED = {"kk": "12\u00a0000", "ru": "12\u00a0000", "en": "12,000"}


@pytest.mark.parametrize("language", sorted(GROUPED))
def test_thousands_of_audit_problems_are_grouped(language: str) -> None:
    with language_override(language):
        said = tampered_message(12_000)
    assert GROUPED[language] in said and "12000" not in said
