"""The words of the statistical report.

A printed report is a document in its own language whatever the interface language is, so its
words come from the ``documents`` gettext catalog in the report's language (translators see
every document word in one place); code labels come from ``app.domain.labels``.
"""

from __future__ import annotations

from app.domain import labels
from app.i18n import D_, DN_, DOCUMENTS_DOMAIN, translator

# Document words: msgids of the ``documents`` catalog, rendered in the report's language.
TEXTS: dict[str, str] = {
    "title": D_("Statistical report on the protection of labour emigrants"),
    "period": D_("Reporting period: {start} – {end}"),
    "as_of": D_("Open and overdue cases are shown as of {date}."),
    # At HQ a transferred case is in two missions' figures: which figure counts it where.
    "counted_where": D_(
        "A case transferred between missions counts at the mission that opened it for the "
        "cases opened, resolved and closed in the period, and at the mission handling it now "
        "for the open and overdue cases."
    ),
    "selection": D_("Selection"),
    "all_cases": D_("all cases"),
    "host_country": D_("Host country"),
    "category": D_("Complaint category"),
    "officer": D_("Officer"),
    "mission": D_("Mission"),
    "hidden": D_("(hidden)"),
    # Stands for the person of a case retention anonymised.
    "anonymised": D_("(anonymised)"),
    "names_hidden": D_("The names of persons are hidden in this report."),
    # A file handed on leaves the letterhead behind: whose data it is, and of which day.
    "source": D_("Source: {mission}, from the data held in Qorgau on {date}"),
    "small_counts": D_(
        "So that no one can be singled out, counts are rounded to the nearest five and a "
        "count under {k} is shown as “<{k}” (a chart leaves it out or draws it as 0). "
        "Medians of fewer than {k} cases, wages recovered in fewer than {k} cases and "
        "employers or agencies with fewer than {k} complaints are not shown."
    ),
    "key_figures": D_("Key figures"),
    "indicator": D_("Indicator"),
    "value": D_("Value"),
    "opened": D_("Cases opened"),
    "resolved": D_("Cases resolved"),
    "closed": D_("Cases closed"),
    "open_now": D_("Cases open now"),
    # The same figure for a period ended before today: the cases open on its last day.
    "open_at_end": D_("Cases open at the end of the period"),
    "overdue": D_("Overdue cases"),
    "median_days": D_("Median days to resolution"),
    "p90_days": D_("90th percentile of days to resolution"),
    "documents_returned": D_("Documents returned"),
    "repatriated": D_("Repatriated"),
    "referred": D_("Referred to support organisations"),
    "outcomes": D_("Outcomes (cases resolved in the period)"),
    "wages_recovered": D_("Wages recovered"),
    "currency": D_("Currency"),
    "amount": D_("Amount"),
    "cases": D_("Cases"),
    "open_by_status": D_("Open cases by status"),
    "status": D_("Status"),
    "categories": D_("Complaint categories (cases opened in the period)"),
    "ilo": D_("ILO indicators of forced labour observed"),
    "ilo_indicator": D_("ILO indicator"),
    "host_countries": D_("Cases opened by host country"),
    "country": D_("Country"),
    "top_employers": D_("Employers with the most complaints"),
    "top_agencies": D_("Recruitment agencies with the most complaints"),
    "name": D_("Name"),
    "letters": D_("Letters issued by kind"),
    "letter_kind": D_("Kind of letter"),
    "letters_count": D_("Letters"),  # the column counting them
    "reviews": D_("Contract reviews by risk"),
    "risk": D_("Risk"),
    "reviews_count": D_("Reviews"),  # the column counting them
    "monthly": D_("Monthly trend"),
    "month": D_("Month"),
    "opened_short": D_("Opened"),
    "resolved_short": D_("Resolved"),
    "closed_short": D_("Closed"),
    "by_mission": D_("Missions side by side"),
    "median_short": D_("Median, days"),
    "total": D_("Total"),
    "no_data": D_("No data"),
    # A chart whose counts are all under k: there are cases, too few to show.
    "all_small": D_("Each count here is under {k}: not drawn, so that no one can be singled out."),
    "prepared": D_("Prepared with Qorgau — {date}"),
    "case_list": D_("List of cases"),
    "number": D_("Number"),
    "received": D_("Received"),
    "person": D_("Worker"),
    "employer": D_("Employer"),
    "due": D_("Due"),
    # The returnees' register: those who came home in the period, and the help they want.
    "returnees": D_("Returnees (day of return in the period)"),
    "returned": D_("Returned home in the period"),
    "returned_referral": D_("of them, want referral to an employment centre"),
    "returned_undated": D_("Day of return not recorded (outside the period's figures)"),
    "returnees_count": D_("Returnees"),  # the column counting them
    "referral_short": D_("Want referral"),  # the column counting those of them
    "returnees_by_occupation": D_("Returnees by occupation (ISCO-08 major group)"),
    "occupation_group": D_("Occupation (ISCO-08 major group)"),
    "returnees_by_country": D_("Returnees by country of work"),
    "work_country": D_("Country of work"),
    "returnees_by_region": D_("Returnees by region of return"),
    "region": D_("Region of return"),
}

# A recovered sum and the number of cases it came from.
WAGES_IN_CASES = DN_("{amount} in {n} case", "{amount} in {n} cases")


def text(key: str, lang: str) -> str:
    """The report's text ``key`` in ``lang``, from the ``documents`` catalog."""
    return translator(DOCUMENTS_DOMAIN, lang).gettext(TEXTS[key])


def texts(lang: str, *keys: str) -> tuple[str, ...]:
    """The texts ``keys`` in ``lang``, in order (a table's headers, a chart's legend)."""
    return tuple(text(key, lang) for key in keys)


def status_name(code: str, lang: str) -> str:
    return labels.case_status(code, lang)


def risk_name(code: str, lang: str) -> str:
    return labels.capitalised(labels.risk_level(code, lang))


def category_name(code: str, lang: str) -> str:
    return labels.category(code, lang)


def ilo_name(code: str, lang: str) -> str:
    return labels.ilo_indicator(code, lang)


def letter_kind_name(code: str, lang: str) -> str:
    return labels.letter_kind(code, lang)
