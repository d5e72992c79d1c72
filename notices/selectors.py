from django.db.models import Q, QuerySet

from arrears.selectors import arrears_overview
from enterprises.selectors import enterprises_visible_to
from notices.models import Document, ServiceRecord
from notices.types import SERVED_TYPES


def documents_visible_to(user) -> QuerySet[Document]:
    return Document.objects.filter(enterprise__in=enterprises_visible_to(user)).select_related(
        "enterprise", "issued_by"
    )


def service_proofs_visible_to(user) -> QuerySet[ServiceRecord]:
    """Service records with a proof, scoped as their documents are: another township's proof
    is not found, as its document is not."""
    return (
        ServiceRecord.objects.filter(document__in=documents_visible_to(user))
        .exclude(proof="")
        .select_related("document")
    )


def document_search(*, user, text="", doc_type="", status="", served="") -> QuerySet[Document]:
    documents = documents_visible_to(user)
    if text:
        documents = documents.filter(
            Q(enterprise__name__icontains=text) | Q(number_text__icontains=text)
        )
    if doc_type:
        documents = documents.filter(doc_type=doc_type)
    if status:
        documents = documents.filter(status=status)
    if served == "no":
        documents = documents.filter(
            served_on__isnull=True, status="issued", doc_type__in=SERVED_TYPES
        )
    elif served == "yes":
        documents = documents.filter(served_on__isnull=False)
    return documents


def batch_candidates(*, user, region):
    """Enterprises of a township with money outstanding, largest first."""
    return arrears_overview(user=user, region=region, sort="principal")
