"""A published count (``Coarse``): here, with no import beyond Python's, so that the command
line's JSON writer knows it without loading the reports at start."""

from __future__ import annotations


class Coarse(int):
    """A published count: as a number, what a chart may draw (the rounded count; 0 under k,
    where the chart leaves it out); as text, what a table shows ("<11", "15")."""

    text: str

    def __new__(cls, value: int, text: str = "") -> Coarse:
        made = super().__new__(cls, value)
        made.text = text or str(value)
        return made

    def __getnewargs__(self) -> tuple[int, str]:  # type: ignore[override]
        return int(self), self.text

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return self.text if not spec else int.__format__(self, spec)

    @property
    def value(self) -> int | str:
        """As JSON gives it: the rounded count, or "<k"."""
        return int(self) if self.text == str(int(self)) else self.text

    @property
    def small(self) -> bool:
        return self.text != str(int(self))
