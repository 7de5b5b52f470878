"""The groups of a person record's fields that several places list alike.

Field names of ``app.db.models.Person`` (and of ``PersonInput``): the form, the subject access
export, anonymising and the CSV import each name these groups instead of spelling them again.
"""

from __future__ import annotations

# The name as typed: in Cyrillic, and in Latin letters as in the passport.
NAME_FIELDS = ("surname", "given_names", "patronymic", "surname_latin", "given_names_latin")
# How to reach the person besides the phone abroad: free text, "" where unknown.
CONTACT_FIELDS = (
    "phone_home",
    "email",
    "messenger",
    "address_abroad",
    "address_home",
    "next_of_kin",
)
# What identifies the person besides the name: None where unknown.
IDENTITY_FIELDS = ("iin", "passport_no", "birth_date")
