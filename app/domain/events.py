"""Timeline entries the system writes: stored as an event code and its parameters.

A case event the app writes by itself ("Case registered.", "Letter … issued") is data, not a
sentence: ``case_event.data`` holds ``{"event": code, "params": {...}}`` and ``case_event.text``
only what a person typed (a reason, a letter's subject), if anything. The sentence is composed
when the entry is shown, in the reader's language, so a Kazakh reader never sees an entry in
the language its writer happened to use.

``parse_sentence`` reads back the sentences older versions stored (in kk, ru or en), for the
migration that turns them into codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import Any

from app.domain import labels
from app.i18n import (
    LANGUAGES,
    current_language,
    format_amount,
    format_date,
    load_catalog,
    pseudo,
    pseudo_locale_enabled,
)


class SystemEvent(StrEnum):
    CASE_REGISTERED = "case_registered"
    CASE_IMPORTED = "case_imported"
    ASSIGNED = "assigned"
    ASSIGNMENT_REMOVED = "assignment_removed"
    ESCALATED = "escalated"
    TRANSFERRED = "transferred"
    LETTER_ISSUED = "letter_issued"
    CONTRACT_REVIEWED = "contract_reviewed"
    CITED = "cited"
    CITATION_WITHDRAWN = "citation_withdrawn"
    REFERRED = "referred"
    REFERRAL_OUTCOME = "referral_outcome"
    STARTED_BY_LETTER = "started_by_letter"  # a "new" case moved to "in progress" by a letter
    REPLY_RECEIVED = "reply_received"  # the answer to a letter the mission issued
    # What the case achieved, as it stands after the officer's change (app.domain.outcome).
    OUTCOME_RECORDED = "outcome_recorded"
    REPLY_CORRECTED = "reply_corrected"  # a reply corrected on a later day, in an entry of its own


# The parameter each event's sentence takes from the entry's typed text, if any.
_TEXT_PARAM: dict[SystemEvent, str] = {
    SystemEvent.LETTER_ISSUED: "subject",
    SystemEvent.REFERRED: "reason",
    SystemEvent.REFERRAL_OUTCOME: "outcome",
    SystemEvent.REPLY_RECEIVED: "summary",
    SystemEvent.REPLY_CORRECTED: "summary",
}


def _templates(_: Callable[[str], str]) -> dict[SystemEvent, str]:
    """The sentences, through a catalog's ``gettext`` (named ``_`` so pybabel extracts them)."""
    return {
        SystemEvent.CASE_REGISTERED: _("Case registered."),
        SystemEvent.CASE_IMPORTED: _("Imported from a legacy spreadsheet."),
        SystemEvent.ASSIGNED: _("Assigned to {user}."),
        SystemEvent.ASSIGNMENT_REMOVED: _("Assignment removed."),
        SystemEvent.ESCALATED: _("Overdue since {date}; escalated to the head of section."),
        SystemEvent.TRANSFERRED: _("Case transferred from {source} to {target} by headquarters."),
        SystemEvent.LETTER_ISSUED: _("Letter {number} issued: {kind}. {subject}"),
        SystemEvent.CONTRACT_REVIEWED: _("Contract reviewed: risk {risk}."),
        SystemEvent.CITED: _("Cited: {citation}"),
        SystemEvent.CITATION_WITHDRAWN: _("Citation withdrawn: {citation}"),
        SystemEvent.REFERRED: _("Referred to {partner}: {reason}"),
        SystemEvent.REFERRAL_OUTCOME: _("Outcome of the referral to {partner}: {outcome}"),
        SystemEvent.STARTED_BY_LETTER: _("Letter {number} issued."),
        SystemEvent.REPLY_RECEIVED: _(
            "Reply to letter {number} from {sender}, received on {date}: {summary}"
        ),
        SystemEvent.OUTCOME_RECORDED: _("Outcome recorded: {outcome}."),
        SystemEvent.REPLY_CORRECTED: _(
            "Correction of the reply to letter {number} recorded on {of}: from {sender}, "
            "received on {date}: {summary}"
        ),
    }


def _details(_: Callable[[str], str]) -> dict[SystemEvent, str]:
    """What an entry says under its heading, where its sentence would repeat the heading's
    words («Case transferred by headquarters: Case transferred from SEL to DXB by
    headquarters.»). Events not named here keep their sentence; "" says nothing more."""
    return {
        SystemEvent.CASE_REGISTERED: "",
        SystemEvent.CASE_IMPORTED: "",
        SystemEvent.ASSIGNED: "{user}",
        SystemEvent.ASSIGNMENT_REMOVED: "",
        SystemEvent.ESCALATED: _("Overdue since {date}."),
        SystemEvent.TRANSFERRED: _("From {source} to {target}."),
        SystemEvent.LETTER_ISSUED: "{number}: {kind}. {subject}",
        SystemEvent.CONTRACT_REVIEWED: _("Risk: {risk}"),
        SystemEvent.CITED: "{citation}",
        SystemEvent.CITATION_WITHDRAWN: "{citation}",
        SystemEvent.REFERRED: "{partner}: {reason}",
        SystemEvent.REFERRAL_OUTCOME: "{partner}: {outcome}",
        SystemEvent.STARTED_BY_LETTER: "{number}",
        SystemEvent.REPLY_RECEIVED: "{number} — {sender}, {date}\n{summary}",
        SystemEvent.OUTCOME_RECORDED: "{outcome}.",
        SystemEvent.REPLY_CORRECTED: _("Replaces the entry of {of}.")
        + "\n{number} — {sender}, {date}\n{summary}",
    }


def _titles(pgettext: Callable[[str, str], str], _: Callable[[str], str]) -> dict[SystemEvent, str]:
    """Each event's heading on a timeline, through a catalog's ``pgettext`` and ``_`` (named so
    that pybabel extracts them). Where the audit log names the same act, its words serve."""
    return {
        SystemEvent.CASE_REGISTERED: _("Case registered"),
        SystemEvent.CASE_IMPORTED: pgettext("timeline", "Imported from a spreadsheet"),
        SystemEvent.ASSIGNED: pgettext("timeline", "Assigned"),
        SystemEvent.ASSIGNMENT_REMOVED: pgettext("timeline", "Assignment removed"),
        SystemEvent.ESCALATED: pgettext("timeline", "Escalated"),
        SystemEvent.TRANSFERRED: pgettext("timeline", "Case transferred by headquarters"),
        SystemEvent.LETTER_ISSUED: _("Letter issued"),
        SystemEvent.CONTRACT_REVIEWED: _("Contract reviewed"),
        SystemEvent.CITED: _("Provision cited"),
        SystemEvent.CITATION_WITHDRAWN: _("Citation withdrawn"),
        SystemEvent.REFERRED: _("Referral"),
        SystemEvent.REFERRAL_OUTCOME: _("Outcome of a referral recorded"),
        SystemEvent.STARTED_BY_LETTER: pgettext("timeline", "Work started by a letter"),
        SystemEvent.REPLY_RECEIVED: pgettext("timeline", "Reply received"),
        SystemEvent.OUTCOME_RECORDED: pgettext("timeline", "Outcome recorded"),
        SystemEvent.REPLY_CORRECTED: pgettext("timeline", "Reply corrected"),
    }


@cache
def _catalog_titles(language: str) -> dict[SystemEvent, str]:
    catalog = load_catalog(language)
    return _titles(catalog.pgettext, catalog.gettext)


def heading(kind: str, event: str | None, language: str | None = None) -> str:
    """An entry's heading: what the app recorded (a referral, a letter issued), else its kind.

    The app's own entries are stored under broad kinds ("system", "note", "assignment"): a
    referral or a citation headed "System" or "Note" told the reader nothing, and a removed
    assignment read "Assigned"."""
    lang = language or current_language()
    try:
        text = _catalog_titles(lang)[SystemEvent(event or "")]
    except ValueError:
        return labels.event_kind(kind, lang)
    return pseudo(text) if pseudo_locale_enabled() else text


def beyond_heading(heading_: str, text: str) -> str:
    """``text`` unless it only repeats the heading («Case registered» over «Case registered.»)."""
    return "" if text.strip().rstrip(".").casefold() == heading_.casefold() else text


def _indicators_template(_: Callable[[str], str]) -> str:
    return _("ILO forced-labour indicators flagged: {codes}.")


def _outcome_parts(_: Callable[[str], str]) -> tuple[str, str, str, str, str, str]:
    """The pieces of an outcome entry, through a catalog's ``gettext``."""
    return (
        _("documents returned on {date}"),
        _("documents returned"),
        _("repatriated on {date}"),
        _("repatriated"),
        _("wages recovered: {amount}"),
        _("nothing achieved yet"),
    )


def _outcome_text(params: Mapping[str, Any], lang: str) -> str:
    """What an outcome entry's parameters say, in ``lang``: «documents returned on 30.11.2026,
    wages recovered: 1 500 USD»."""
    docs_on, docs, home_on, home, wages, nothing = _outcome_parts(load_catalog(lang).gettext)
    parts: list[str] = []
    for key, dated, undated in (
        ("documents_returned", docs_on, docs),
        ("repatriated", home_on, home),
    ):
        if key not in params:
            continue
        try:
            day = format_date(date.fromisoformat(str(params[key])), None, lang)
        except ValueError:
            parts.append(undated)
        else:
            parts.append(dated.format(date=day))
    if params.get("wages") and params.get("currency"):
        try:
            amount = format_amount(Decimal(str(params["wages"])), str(params["currency"]), lang)
        except InvalidOperation:
            amount = f"{params['wages']} {params['currency']}"
        parts.append(wages.format(amount=amount))
    return ", ".join(parts) or nothing


@cache
def _catalog_templates(language: str) -> tuple[dict[SystemEvent, str], str]:
    gettext = load_catalog(language).gettext
    return _templates(gettext), _indicators_template(gettext)


@cache
def _catalog_details(language: str) -> dict[SystemEvent, str]:
    templates, _indicators = _catalog_templates(language)
    return {**templates, **_details(load_catalog(language).gettext)}


def event_data(event: SystemEvent, **params: Any) -> dict[str, Any]:
    """What a new entry stores in ``case_event.data`` (merge other keys into it)."""
    return {"event": event.value, "params": params}


def stored_event(data: Mapping[str, Any] | None) -> tuple[SystemEvent, dict[str, Any]] | None:
    """The event code and parameters of a stored entry; None for a person's own entry."""
    if not data or "event" not in data:
        return None
    try:
        event = SystemEvent(data["event"])
    except ValueError:
        return None
    params = data.get("params")
    return event, dict(params) if isinstance(params, dict) else {}


def compose(data: Mapping[str, Any] | None, text: str, language: str | None = None) -> str:
    """The entry as the reader reads it: the system's sentence in ``language``, or ``text``."""
    lang = language or current_language()
    return _composed(data, text, lang, _catalog_templates(lang)[0])


def detail(data: Mapping[str, Any] | None, text: str, language: str | None = None) -> str:
    """The entry as read under its ``heading``: what the heading does not already say."""
    lang = language or current_language()
    return _composed(data, text, lang, _catalog_details(lang))


def _composed(
    data: Mapping[str, Any] | None, text: str, lang: str, templates: Mapping[SystemEvent, str]
) -> str:
    found = stored_event(data)
    if found is None:
        return text
    event, params = found
    _sentences, indicators = _catalog_templates(lang)
    values = {key: str(value) for key, value in params.items() if not isinstance(value, list)}
    if event in _TEXT_PARAM:
        values[_TEXT_PARAM[event]] = text
    if event == SystemEvent.LETTER_ISSUED:
        values["kind"] = labels.letter_kind(str(params.get("kind", "")), lang)
    elif event == SystemEvent.CONTRACT_REVIEWED:
        values["risk"] = labels.risk_level(str(params.get("risk", "")), lang)
    elif event == SystemEvent.OUTCOME_RECORDED:
        said = _outcome_text(params, lang)
        # Under its heading the list opens the line: «Documents returned on 30.11.2026».
        starts = templates[event].startswith("{outcome}")
        values["outcome"] = said[:1].upper() + said[1:] if starts else said
    if event in (SystemEvent.ESCALATED, SystemEvent.REPLY_RECEIVED, SystemEvent.REPLY_CORRECTED):
        for key in ("date", "of"):  # "of": the day a corrected reply was recorded
            if params.get(key):
                try:
                    values[key] = format_date(date.fromisoformat(str(params[key])), None, lang)
                except ValueError:
                    pass  # an old entry's date as it was written
    try:
        sentence = templates[event].format_map(_Missing(values))
    except (ValueError, IndexError):
        sentence = templates[event]
    flagged = params.get("indicators")
    if event == SystemEvent.CONTRACT_REVIEWED and isinstance(flagged, list) and flagged:
        names = ", ".join(labels.ilo_indicator(str(code), lang) for code in flagged)
        # Under its heading the entry reads «Risk: critical», with no full stop of its own:
        # the indicators ran on into it («Риск: критический Выявлены индикаторы …»).
        ends = sentence.rstrip().endswith((".", "!", "?", "…"))
        sentence = sentence.rstrip() + (" " if ends else ". ") + indicators.format(codes=names)
    return sentence.strip()


class _Missing(dict[str, str]):
    """A parameter an old entry lacks prints empty instead of failing the whole timeline."""

    def __missing__(self, key: str) -> str:
        return ""


# -- reading back what older versions stored ---------------------------------------------------

_FIELD = re.compile(r"\\\{(\w+)\\\}")


def _pattern(template: str) -> re.Pattern[str]:
    """A template as a regular expression: each {name} a named group."""
    escaped = re.escape(template)
    names: list[str] = []

    def group(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in names:
            return f"(?P={name})"
        names.append(name)
        return f"(?P<{name}>.*?)"

    return re.compile("^" + _FIELD.sub(group, escaped) + "$", re.DOTALL)


@cache
def _sentence_patterns() -> tuple[tuple[SystemEvent, re.Pattern[str], str], ...]:
    """Every event's sentence in every language, longest first (the most specific wins)."""
    found: list[tuple[SystemEvent, re.Pattern[str], str]] = []
    for lang in LANGUAGES:
        templates, _indicators = _catalog_templates(lang)
        for event, template in templates.items():
            found.append((event, _pattern(template), lang))
    found.sort(key=lambda item: -len(item[1].pattern))
    return tuple(found)


@cache
def _indicator_suffixes() -> tuple[re.Pattern[str], ...]:
    out = []
    for lang in LANGUAGES:
        _templates_, indicators = _catalog_templates(lang)
        out.append(re.compile(r"\s*" + _pattern(indicators).pattern[1:], re.DOTALL))
    return tuple(out)


def _code_for_label(label_of: Callable[[str, str], str], codes: list[str], shown: str) -> str:
    """The code whose label (in any language) is ``shown``; ``shown`` itself if none is."""
    for code in codes:
        for lang in LANGUAGES:
            if label_of(code, lang).casefold() == shown.strip().casefold():
                return code
    return shown


def parse_sentence(sentence: str) -> tuple[dict[str, Any], str] | None:
    """An old entry's sentence as (data, typed text); None if the system did not write it."""
    from app.domain.codes import IloIndicator, LetterKind, RiskLevel

    body = sentence.strip()
    indicator_codes: list[str] = []
    for suffix in _indicator_suffixes():
        match = suffix.search(body)
        if match:
            shown = [part.strip() for part in match.group("codes").split(",") if part.strip()]
            indicator_codes = [
                _code_for_label(labels.ilo_indicator, [c.value for c in IloIndicator], s)
                for s in shown
            ]
            body = body[: match.start()].rstrip()
            break
    for event, pattern, _lang in _sentence_patterns():
        match = pattern.match(body)
        if match is None:
            continue
        params = dict(match.groupdict())
        text = params.pop(_TEXT_PARAM[event], "") if event in _TEXT_PARAM else ""
        if event == SystemEvent.LETTER_ISSUED:
            kinds = [k.value for k in LetterKind]
            params["kind"] = _code_for_label(labels.letter_kind, kinds, params["kind"])
        elif event == SystemEvent.CONTRACT_REVIEWED:
            risks = [r.value for r in RiskLevel]
            params["risk"] = _code_for_label(labels.risk_level, risks, params["risk"])
            if indicator_codes:
                params["indicators"] = indicator_codes
        return event_data(event, **params), text.strip()
    return None
