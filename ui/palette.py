"""The colours of the interface, in one place, each text colour with the background it sits on.

A restrained palette for a government tool: ink on white, one navy accent, and signal colours
only where they carry meaning (deadline, urgency, risk), always with a word or a shape beside
them. ``TEXT_ON_BACKGROUND`` lists every pair the app draws; a test holds each to WCAG AA.
"""

from __future__ import annotations

# Ink and paper
TEXT = "#1f2328"
MUTED_TEXT = "#57606a"  # dates, authors, hints
DISABLED_TEXT = "#8c959f"  # controls not available now (exempt from the contrast minimum)
BACKGROUND = "#ffffff"
WINDOW = "#f4f6f8"  # behind panels and the navigation
ACCENT = "#1f3b63"  # navy: selection, links, headings
ACCENT_SOFT = "#e8eef7"  # chips and the navigation's chosen item
ON_ACCENT = "#ffffff"
LINK = "#1f4f99"
BORDER = "#c9d1d9"
BUTTON = "#eef1f5"
ALTERNATE_BASE = "#f6f8fa"  # every other row of a table

# The navigation: a navy band, as on the ministry's own forms and sites.
NAV_BACKGROUND = ACCENT
NAV_TEXT = "#ffffff"
NAV_SELECTED = "#3a5f96"
NAV_HOVER = "#29497a"

# Messages
ERROR_TEXT = "#b3261e"
SUCCESS_TEXT = "#1b5e20"
WARNING_TEXT = "#5d4200"
WARNING_BACKGROUND = "#fff8e1"
WARNING_BORDER = "#f0c36d"
WARNING_STYLE = (
    f"background: {WARNING_BACKGROUND}; border: 1px solid {WARNING_BORDER}; "
    f"padding: 6px; color: {WARNING_TEXT};"
)

SUCCESS_BACKGROUND = "#e8f5e9"
ERROR_BACKGROUND = "#ffebee"


def outcome_style(good: bool) -> str:
    """A check's verdict (a letter found in the register, an intact audit log), or its refusal."""
    colour, background = (
        (SUCCESS_TEXT, SUCCESS_BACKGROUND) if good else (ERROR_TEXT, ERROR_BACKGROUND)
    )
    return f"color: {colour}; background: {background}; border-radius: 4px; padding: 8px;"


# Deadlines and urgency: strong enough for white text on them and for text on white.
DEADLINE_COLOURS = {"green": "#2e7d32", "amber": "#8a5a00", "red": "#c62828"}
DEADLINE_BACKGROUNDS = {"green": SUCCESS_BACKGROUND, "amber": "#fff3e0", "red": ERROR_BACKGROUND}
NEUTRAL_BADGE = "#555555"
URGENCY_COLOURS = {"low": MUTED_TEXT, "normal": TEXT, "high": "#8a5a00", "critical": "#b71c1c"}

# Agreements: how reliable a fact is
STANDARD_TEXT = "#5f5f5f"

TEXT_ON_BACKGROUND: tuple[tuple[str, str, str], ...] = (
    ("text", TEXT, BACKGROUND),
    ("text on window", TEXT, WINDOW),
    ("muted", MUTED_TEXT, BACKGROUND),
    ("muted on window", MUTED_TEXT, WINDOW),
    ("on accent", ON_ACCENT, ACCENT),
    ("accent on soft accent", ACCENT, ACCENT_SOFT),
    ("text on soft accent", TEXT, ACCENT_SOFT),
    ("button text", TEXT, BUTTON),
    ("a check passed", SUCCESS_TEXT, SUCCESS_BACKGROUND),
    ("a check failed", ERROR_TEXT, ERROR_BACKGROUND),
    ("navigation", NAV_TEXT, NAV_BACKGROUND),
    ("navigation, chosen", NAV_TEXT, NAV_SELECTED),
    ("navigation, hovered", NAV_TEXT, NAV_HOVER),
    ("link", LINK, BACKGROUND),
    ("error", ERROR_TEXT, BACKGROUND),
    ("error on window", ERROR_TEXT, WINDOW),
    ("success", SUCCESS_TEXT, BACKGROUND),
    ("warning", WARNING_TEXT, WARNING_BACKGROUND),
    ("standard", STANDARD_TEXT, BACKGROUND),
    ("neutral badge", ON_ACCENT, NEUTRAL_BADGE),
    *((f"badge {k}", ON_ACCENT, v) for k, v in DEADLINE_COLOURS.items()),
    *((f"deadline {k}", v, BACKGROUND) for k, v in DEADLINE_COLOURS.items()),
    *(
        (f"deadline {k} on its row", v, DEADLINE_BACKGROUNDS[k])
        for k, v in DEADLINE_COLOURS.items()
    ),
    *((f"text on deadline {k} row", TEXT, v) for k, v in DEADLINE_BACKGROUNDS.items()),
    *((f"urgency {k}", v, BACKGROUND) for k, v in URGENCY_COLOURS.items()),
)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)
