"""Qt calls must not eat references to None.

PySide6 6.12 on Python 3.11 takes one reference from None with every call of a method that
returns nothing (setText, setEnabled, show, QTest's clicks…): a few thousand calls later the
process aborts with "Fatal Python error: none_dealloc", in the middle of an officer's work or at
exit. pyproject.toml keeps PySide6 below 6.12; this test fails if a release with the fault
comes back.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

CALLS = 300


def test_methods_returning_nothing_leave_none_alone(qtbot: QtBot) -> None:
    edit, label = QLineEdit(), QLabel()
    qtbot.addWidget(edit)
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        label.setText("x")
        edit.setEnabled(True)
        edit.clear()
    lost = before - sys.getrefcount(None)
    # Other code may take or drop a few references meanwhile; the fault loses one per call.
    assert lost < CALLS // 2, f"{lost} references to None lost in {3 * CALLS} calls"
