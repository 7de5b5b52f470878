"""Contract review: the terms of an employment contract checked against host-country law and
ILO standards. Pure Python: no database, no PDF, no Qt."""

from app.contracts.reference import HostCountryReference, reference_for
from app.contracts.rules import (
    RULES,
    Finding,
    ProvisionRef,
    Reference,
    ReviewResult,
    result_to_json,
    review,
)
from app.contracts.terms import ContractTerms, parse_terms, terms_to_dict

__all__ = [
    "RULES",
    "ContractTerms",
    "Finding",
    "HostCountryReference",
    "ProvisionRef",
    "Reference",
    "ReviewResult",
    "parse_terms",
    "reference_for",
    "result_to_json",
    "review",
    "terms_to_dict",
]
