"""An audit entry's details read in words, in the reader's language: the labels the forms
use for fields and codes, dates in the reader's form; ids and digests left to the raw JSON."""

from __future__ import annotations

from app.i18n import language_override
from app.services.audit_text import details_in_words


def test_a_status_change_reads_as_the_forms_name_the_statuses() -> None:
    details = {"from": "new", "to": "closed", "reason": ""}
    assert details_in_words("case.status", details) == "Status: New → Closed"
    with language_override("ru"):
        assert details_in_words("case.status", details) == "Статус: Новое → Закрыто"
    with language_override("kk"):
        assert details_in_words("case.status", details) == "Мәртебесі: Жаңа → Жабылды"


def test_codes_dates_and_counts_read_in_the_readers_words() -> None:
    issued = {
        "number": "SEL-2026/0017",
        "case": "SEL-2026-1175",
        "kind": "employer_letter",
        "lang": "en",
        "sha256": "3e85ecb509cd874911de6e75e64e925c8ce072b88f3e7b131dc17e1660760881",
    }
    with language_override("ru"):
        assert details_in_words("letter.issue", issued) == (
            "Номер: SEL-2026/0017; Дело: SEL-2026-1175; Вид: Письмо работодателю; Язык: английский"
        )
        assert details_in_words("user.add", {"role": "consul"}) == (
            "Роль: Консул / руководитель отдела"
        )
        assert details_in_words("demo.fill", {"cases": 2000, "seed": 1}) == "Дела: 2\xa0000"
        assert details_in_words("legal_table.update", {"edition_of_2030": "2026-03-01"}) == (
            "edition_of_2030: 01.03.2026"
        )  # a key without a label reads as it is, its date in the reader's form
    export = {"kind": "cases", "counts": {"case": 3, "person": 2}, "files": 0, "hq": False}
    assert details_in_words("bundle.export", export) == (
        "Kind: Cases; Records: Case 3, Person 2; Files: 0; Headquarters: no"
    )


def test_changed_fields_and_lists_name_what_the_forms_name() -> None:
    changed = {"fields": ["status", "urgency", "person"]}
    assert details_in_words("case.update", changed) == "Changed fields: Status, Urgency, Person"
    with language_override("kk"):  # the fields as the case form names them
        assert details_in_words("case.update", changed).endswith(": Мәртебесі, Шұғылдығы, Адам")
    revoked = {
        "cases_released": 12,
        "numbers": [f"SEL-2026-{n:04}" for n in range(1, 13)],
        "approvals_withdrawn": 0,
    }
    assert details_in_words("user.revoke", revoked) == (
        "Cases released: 12; Cases: SEL-2026-0001, SEL-2026-0002, SEL-2026-0003, "
        "SEL-2026-0004, SEL-2026-0005, SEL-2026-0006, SEL-2026-0007, SEL-2026-0008 (+4); "
        "Approvals withdrawn: 0"
    )


def test_internal_ids_stay_out_of_the_words_and_an_empty_entry_says_nothing() -> None:
    referral = {
        "partner": "01a24ddb-968a-7422-a152-eb843d0efb9b",
        "referral": "01a24ddb-9546-7535-bd66-3c02ec96e6ed",
        "consent_covers": True,
    }
    assert details_in_words("case.refer", referral) == "Consent covers the transfer: yes"
    assert details_in_words("user.login", {}) == ""
    assert details_in_words("case.assign", {"from": None, "to": "aigul"}) == "Officer: — → aigul"


def test_the_number_in_the_record_column_is_not_repeated_in_the_words() -> None:
    issued = {"number": "SEL-2026/0017", "case": "SEL-2026-1175", "kind": "employer_letter"}
    assert details_in_words("letter.issue", issued, record="SEL-2026/0017") == (
        "Case: SEL-2026-1175; Kind: Letter to the employer"
    )


def test_a_recovery_that_took_an_account_over_says_so_in_the_readers_words() -> None:
    details = {
        "method": "recovery_key",
        "existing_user": True,
        "previous_role": "attache",
        "was_revoked": False,
    }
    assert details_in_words("installation.recover", details) == (
        "Recovered with: the recovery key; Existing account taken over: yes; "
        "Role before: Labour attaché; Was revoked: no"
    )


def test_retention_and_watchlist_entries_read_in_words_not_keys() -> None:
    """A retention run's entry read "years: 5; closed_on: …; trigger: start"."""
    anonymised = {"years": 5, "closed_on": "2020-03-01", "person": True, "trigger": "start"}
    assert details_in_words("retention.anonymise", anonymised) == (
        "Retention period, years: 5; Closed on: 1 Mar 2020; Person anonymised: yes; "
        "Started: at sign-in"
    )
    # ``on`` is a day for an approval, a yes or no for the watchlist.
    assert details_in_words("employer.watchlist", {"on": True}) == "On the watchlist: yes"
    assert details_in_words("letter.approve", {"on": "2026-03-01"}) == "Date: 1 Mar 2026"
    resolved = {"choice": "remote", "version": 3, "later_code": "x"}
    assert details_in_words("bundle.conflict_resolve", resolved) == (
        "Version kept: the bundle's; Version now: 3; later_code: x"
    )
