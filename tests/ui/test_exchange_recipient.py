"""Issue 18 item 8: the export goes to a trusted headquarters' key, chosen, not typed.

The fault: the recipient was free text; 12,220 records were exported to a key that was not a
trusted headquarters key, after the officer had first been asked where to save the file.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest
from pytestqt.qtbot import QtBot

from app.errors import ValidationError
from app.services.exchange import ExchangeService
from app.services.keys import KeyService
from tests.integration.test_exchange import Site, hq_and_sel, make_site
from tests.ui.press import click, save_as, type_into
from tests.ui.test_exchange import page_for
from ui.i18n_bridge import LanguageBridge


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Site, Site]]:
    with hq_and_sel(tmp_path) as sites:
        yield sites


def stranger_key() -> str:
    return str(pyrage.x25519.Identity.generate().to_public())


def test_a_trusted_mission_key_that_is_not_hq_cannot_be_chosen(
    qtbot: QtBot, pair: tuple[Site, Site], tmp_path: Path
) -> None:
    hq, sel = pair
    other = stranger_key()
    signing = base64.b64encode(bytes(range(32))).decode("ascii")
    KeyService(sel.ws).trust("DXB", signing, other)  # trusted, but a mission, not HQ
    page = page_for(qtbot, sel)
    offered = [page.recipient_choice.itemData(i) for i in range(page.recipient_choice.count())]
    assert offered == [hq.recipient]
    assert not page.recipient_choice.isEditable()
    assert not page.recipient.isVisible() and not page.other_warning.isVisible()

    # Even a page told to export to it refuses unless "another key" was chosen, on purpose.
    page.recipient.setText(other)  # hidden, so set not typed: what a stale form might hold
    assert page.chosen_recipient() == hq.recipient
    with pytest.raises(ValidationError, match="not a trusted headquarters' key"):
        ExchangeService(sel.ws).export_cases(tmp_path / "x.qbundle", [other], hq_key_only=True)
    assert not (tmp_path / "x.qbundle").exists()


def test_another_key_only_with_the_option_and_its_warning(
    qtbot: QtBot, pair: tuple[Site, Site], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _hq, sel = pair
    page = page_for(qtbot, sel)
    other = stranger_key()
    target = tmp_path / "other.qbundle"
    click(qtbot, page.other_key)
    assert page.other_key.isChecked()
    assert page.recipient.isVisible() and page.other_warning.isVisible()
    assert page.other_warning.text().startswith("Warning: whoever holds this key can read")
    assert not page.recipient_choice.isEnabled()

    # Empty: told, and no file name asked for.
    asked: list[str] = []
    with monkeypatch.context() as patched:
        patched.setattr(
            "ui.exchange.page.QFileDialog.getSaveFileName",
            lambda *args: asked.append("file") or ("", ""),
        )
        click(qtbot, page.export_button)
    assert asked == [] and page.recipient_error.text() == "Type the key headquarters gave you."

    type_into(qtbot, page.recipient, other)
    save_as(qtbot, target)
    click(qtbot, page.export_button)
    assert page.task is not None
    qtbot.waitUntil(lambda: not page.task.running, timeout=10_000)
    assert target.exists()


def test_with_no_hq_key_trusted_nothing_is_offered_and_nothing_asked(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lone = make_site(tmp_path, "SEL", "KR", "Seoul")
    try:
        page = page_for(qtbot, lone)
        assert page.recipient_choice.currentData() is None
        assert page.recipient_choice.currentText() == "—"
        # Said in full beneath the list, where it is not cut short.
        assert page.no_hq_key.isVisibleTo(page)
        assert "No headquarters' key is trusted yet" in page.no_hq_key.text()
        asked: list[str] = []
        monkeypatch.setattr(
            "ui.exchange.page.QFileDialog.getSaveFileName",
            lambda *args: asked.append("file") or ("", ""),
        )
        click(qtbot, page.export_button)
        assert asked == []
        assert page.recipient_error.text() == "Choose headquarters' key."
    finally:
        lone.ws.close()


def test_the_export_speaks_of_headquarters_key_not_age_recipient(
    qtbot: QtBot, pair: tuple[Site, Site]
) -> None:
    _hq, sel = pair
    page = page_for(qtbot, sel)
    click(qtbot, page.other_key)
    words = " ".join(
        [page.recipient_label.text(), page.other_key_text.text(), page.other_warning.text()]
        + [page.recipient_choice.itemText(i) for i in range(page.recipient_choice.count())]
        + [page.recipient.placeholderText(), page.export_box.title()]
    ).lower()
    assert "headquarters' &key" in words
    assert "age recipient" not in words and "age key" not in words


def test_a_refused_key_follows_a_language_switch(
    qtbot: QtBot, pair: tuple[Site, Site], bridge: LanguageBridge
) -> None:
    """The fault: the refusal under the key was translated when it was raised, so after a
    switch to Russian it still said it in English beside a Russian window."""
    _hq, sel = pair
    page = page_for(qtbot, sel)
    bridge.language_changed.connect(lambda _lang: page.retranslate_ui())  # as the window does
    click(qtbot, page.other_key)
    click(qtbot, page.export_button)  # no key typed
    assert page.recipient_error.text() == "Type the key headquarters gave you."
    bridge.set_language("ru")
    assert page.recipient_error.text() == "Введите ключ, полученный от центрального аппарата."
    type_into(qtbot, page.recipient, "age1-not-a-key")
    click(qtbot, page.export_button)
    assert page.recipient_error.text().startswith("Это недействительный ключ: ключ")
    bridge.set_language("en")
    assert page.recipient_error.text().startswith("This is not a valid key")
