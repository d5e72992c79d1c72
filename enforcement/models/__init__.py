"""Casework models, one module per subject; imported here so Django and callers see one app."""

from enforcement.models.audits import AuditLead, AuditRecord, TaxRecord
from enforcement.models.cases import Approval, Case, CaseCounter, CaseEvent
from enforcement.models.court import Challenge
from enforcement.models.deferrals import Deferral, GuaranteeKind, Instalment
from enforcement.models.fines import Fine, FinePayment
from enforcement.models.settings import CaseworkSettings

__all__ = [
    "Approval",
    "AuditLead",
    "AuditRecord",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "CaseworkSettings",
    "Challenge",
    "Deferral",
    "Fine",
    "FinePayment",
    "GuaranteeKind",
    "Instalment",
    "TaxRecord",
]
