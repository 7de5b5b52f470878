"""The columns of cases, people, organisations and timeline entries as the forms name them:
for a conflict's fields, a spreadsheet's columns, anything that shows a column to a person.
Any other name reads as it is."""

from __future__ import annotations

from app.i18n import N_, label_from

FIELD_LABELS = {
    "host_country": N_("Host country"),
    "status": N_("Status"),
    "urgency": N_("Urgency"),
    "life_or_liberty_at_risk": N_("Life or liberty at risk"),
    "channel": N_("Channel"),
    "description": N_("Description"),
    "claims": N_("Claims"),
    "received_at": N_("Received"),
    "due_date": N_("Due"),
    "assigned_to": N_("Officer"),
    "escalated_at": N_("Escalated"),
    "resolved_at": N_("Resolved"),
    "closed_at": N_("Closed"),
    "wages_recovered_amount": N_("Amount"),
    "wages_recovered_currency": N_("Currency"),
    "documents_returned": N_("Documents returned"),
    "repatriated": N_("Repatriated"),
    "person_id": N_("Person"),
    "employer_id": N_("Employer"),
    "agency_id": N_("Recruitment agency"),
    "surname": N_("Surname"),
    "given_names": N_("Given names"),
    "patronymic": N_("Patronymic"),
    "surname_latin": N_("Surname (Latin)"),
    "given_names_latin": N_("Given names (Latin)"),
    "iin": N_("IIN"),
    "passport_no": N_("Passport"),
    "birth_date": N_("Date of birth"),
    "sex": N_("Sex"),
    "citizenship": N_("Citizenship"),
    "phone_abroad": N_("Phone abroad"),
    "phone_home": N_("Phone at home"),
    "email": N_("E-mail"),
    "messenger": N_("Messenger"),
    "address_abroad": N_("Address abroad"),
    "address_home": N_("Address at home"),
    "next_of_kin": N_("Next of kin"),
    "consent_date": N_("Consent"),
    "consent_note": N_("Consent note"),
    "name": N_("Name"),
    "country": N_("Country"),
    "city": N_("City"),
    "address": N_("Address"),
    "text": N_("Text"),
    "kind": N_("Kind"),
    "occurred_at": N_("When"),
}


def field_label(name: str) -> str:
    return label_from(FIELD_LABELS, name)
