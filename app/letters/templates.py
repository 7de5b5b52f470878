"""Letter templates: Jinja2 (autoescaped) producing a small block markup for the renderer.

A template under ``resources/letters/<kind>/<lang>.j2`` outputs only blocks of this form::

    <p style="body">reportlab paragraph markup: <b>, <i>, <br/></p>
    <row style="head"><cell>left column</cell><cell>right column</cell></row>

Everything else between blocks must be whitespace (or a Jinja comment). User text is escaped
once by Jinja's autoescape; reportlab's paragraph parser turns ``&amp;`` back into ``&``, so
the text prints exactly as written and can never open a tag of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound
from markupsafe import Markup

from app.domain.text import without_direction_controls
from app.errors import QorgauError
from app.i18n import _
from app.resources import resource_path

TEMPLATE_DIR = resource_path("letters")

_BLOCK = re.compile(r'<(p|row) style="([a-z_]+)">(.*?)</\1>', re.DOTALL)
_CELL = re.compile(r"<cell>(.*?)</cell>", re.DOTALL)


@dataclass(frozen=True)
class Block:
    """One paragraph (``cells`` has one item) or one table row (several cells)."""

    tag: str  # "p" or "row"
    style: str
    cells: tuple[str, ...]


@lru_cache(maxsize=4)
def environment(template_dir: Path = TEMPLATE_DIR) -> Environment:
    """The Jinja environment (immutable once built, so one per directory is shared)."""
    return Environment(
        loader=FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        finalize=_printable,
    )


def _printable(value: Any) -> Any:
    """A value as a letter prints it: text without direction controls, which reportlab draws
    as boxes or nothing and which a name stored before they were refused may hold."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return without_direction_controls(value)
    return value


def render_markup(
    kind: str,
    lang: str,
    variables: dict[str, Any],
    filters: dict[str, Callable[..., str]] | None = None,
    template_dir: Path = TEMPLATE_DIR,
) -> str:
    env = environment(template_dir)
    try:
        template = env.get_template(f"{kind}/{lang}.j2")
    except TemplateNotFound as exc:
        raise QorgauError(
            _("No letter template for {kind} in {lang}.").format(kind=kind, lang=lang)
        ) from exc
    if filters:
        # Filters are per call (they format in the letter's language): pass them as globals of
        # this render, leaving the shared environment untouched.
        return template.render({**variables, **filters})
    return template.render(variables)


def parse_blocks(markup: str) -> list[Block]:
    """Split template output into blocks; stray text means a broken template."""
    blocks: list[Block] = []
    position = 0
    for match in _BLOCK.finditer(markup):
        _check_gap(markup[position : match.start()])
        tag, style, body = match.groups()
        cells = tuple(_CELL.findall(body)) if tag == "row" else (body,)
        blocks.append(Block(tag=tag, style=style, cells=tuple(c.strip() for c in cells)))
        position = match.end()
    _check_gap(markup[position:])
    return blocks


def _check_gap(text: str) -> None:
    if text.strip():
        raise QorgauError(
            _("Letter template error: text outside a block: {text}").format(text=text.strip()[:60])
        )
