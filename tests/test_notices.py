"""Numbering, freezing, the PDFs' text, service and deadlines (DESIGN §3.8)."""

import re
import threading
from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from pypdf import PdfReader

from arrears.services import payment_post
from notices.models import Document
from notices.rendering import render_pdf
from notices.services import document_issue, document_void, service_record
from notices.types import RULES, DocumentType

NUMBER = re.compile(r"^\S+〔\d{4}〕[1-9]\d*号$")


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_number_form_and_sequence(county):
    first = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=county.enterprise,
        render=False,
    )
    second = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=county.other_enterprise,
        render=False,
    )
    other_type = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="statement",
        enterprise=county.enterprise,
        render=False,
    )
    # The county fixture issued 1号 and 2号 already.
    assert (first.number_text, second.number_text) == ("壶人社催〔2026〕3号", "壶人社催〔2026〕4号")
    assert other_type.number_text == "壶人社对〔2026〕1号"  # one counter per type and year
    assert all(NUMBER.match(d.number_text) for d in (first, second, other_type))


@pytest.mark.parametrize("doc_type", DocumentType.values)
def test_every_type_renders_with_every_character_present(county, doc_type):
    if RULES[doc_type].retired:
        document = _issued_before_retirement(county, doc_type)
    else:
        document = document_issue(
            from_case=True,
            actor=county.caseworker,
            doc_type=doc_type,
            enterprise=county.enterprise,
            render=False,
        )
    text = _text(render_pdf(document))
    compact = re.sub(r"\s+", "", text)
    assert county.enterprise.name in compact
    assert document.number_text in compact
    if document.content["states_amounts"] and doc_type != "exposure_notice":
        assert (
            document.content["totals"]["total"] in compact
            or document.content["totals"]["principal"] in compact
        )
    assert "—1—" in compact  # page numbers after GB/T 9704
    assert "2026年11月22日" in compact


def _issued_before_retirement(county, doc_type) -> Document:
    """A retired type's document as it was issued then: it keeps its number and prints."""
    from notices.content import build_content
    from notices.services import issuing_body, office_settings

    body = RULES[doc_type].bodies[0]
    text = f"壶人社{RULES[doc_type].prefix}〔2026〕9号"
    content = build_content(
        doc_type=doc_type,
        enterprise=county.enterprise,
        issued_on=date(2026, 11, 22),
        office=office_settings(),
        body=issuing_body(body),
        number_text=text,
    )
    return Document.objects.create(
        doc_type=doc_type,
        issuing_body=body,
        year=2026,
        number=9,
        number_text=text,
        enterprise=county.enterprise,
        issued_on=date(2026, 11, 22),
        issued_by=county.caseworker,
        content=content,
    )


def test_deadline_notice_states_amounts_capitals_account_and_law(county):
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=county.enterprise,
        render=False,
    )
    compact = re.sub(r"\s+", "", _text(render_pdf(document)))
    content = document.content
    assert f"人民币{content['totals']['total_capitals']}" in compact
    assert "5个工作日" in compact and "第六十三条" in compact
    assert content["office"]["account_number"] in compact


def test_a_document_freezes_what_it_states(county):
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=county.enterprise,
        render=False,
    )
    before = _text(render_pdf(document))
    payment_post(
        actor=None,
        enterprise=county.enterprise,
        amount=D("500.00"),
        paid_on=date(2026, 11, 21),
        method="self",
        external_ref="LATE-1",
    )
    county.enterprise.name = "改名后的公司"
    county.enterprise.save()
    document.refresh_from_db()
    assert _text(render_pdf(document)) == before
    assert "改名后的公司" not in before


def test_voiding_keeps_the_number(county):
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=county.enterprise,
        render=False,
    )
    document_void(actor=county.group_leader, document=document, reason="金额有误")
    following = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=county.enterprise,
        render=False,
    )
    assert following.number == document.number + 1
    assert "已作废" in re.sub(r"\s+", "", _text(render_pdf(Document.objects.get(pk=document.pk))))
    with pytest.raises(ValidationError):
        document_void(actor=county.group_leader, document=document, reason="再作废")


def test_no_notice_without_arrears(county):
    county.enterprise.ledger_items.update(principal_paid=0)
    from arrears.services import payment_post as pay

    pay(
        actor=None,
        enterprise=county.enterprise,
        amount=D("100000"),
        paid_on=date(2026, 11, 22),
        method="self",
        external_ref="ALL",
    )
    with pytest.raises(ValidationError, match="没有欠费"):
        document_issue(
            from_case=True,
            actor=county.caseworker,
            doc_type="deadline_notice",
            enterprise=county.enterprise,
            render=False,
        )


@pytest.mark.parametrize(
    "doc_type, method, served, deadline",
    [
        (
            "deadline_notice",
            "direct",
            date(2025, 9, 26),
            date(2025, 10, 10),
        ),  # 5 working days over National Day
        (
            "penalty_decision",
            "post",
            date(2025, 9, 20),
            date(2025, 10, 9),
        ),  # 15 days ending in the holiday
        ("deadline_notice", "public", date(2025, 8, 27), date(2025, 10, 10)),  # deemed served 09-26
    ],
)
def test_deadline_counts_from_the_day_after_service(county, doc_type, method, served, deadline):
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type=doc_type,
        enterprise=county.enterprise,
        render=False,
    )
    Document.objects.filter(pk=document.pk).update(issued_on=date(2025, 8, 1))
    document.refresh_from_db()
    service_record(
        actor=county.caseworker,
        document=document,
        method=method,
        served_on=served,
        recipient="张三",
        public_reason="查无此单位，邮件退回" if method == "public" else "",
    )
    document.refresh_from_db()
    assert document.deadline == deadline and document.deadline_warning == ""


def test_left_with_the_enterprise_needs_a_witness_or_photo(county):
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=county.enterprise,
        render=False,
    )
    with pytest.raises(ValidationError, match="见证人"):
        service_record(
            actor=county.caseworker, document=document, method="left", served_on=date(2026, 11, 22)
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_forty_concurrent_numberings_with_a_quarter_rolled_back_leave_no_gap(county):
    start, errors = threading.Barrier(40), []

    def issue(n: int) -> None:
        try:
            start.wait()
            with transaction.atomic():
                document_issue(
                    from_case=True,
                    actor=county.caseworker,
                    doc_type="reminder",
                    enterprise=county.enterprise,
                    render=False,
                )
                if n % 4 == 0:
                    raise RuntimeError("rolled back on purpose")
        except RuntimeError:
            pass
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Document.objects.filter(doc_type="reminder").values_list("number", flat=True))
    assert numbers == list(range(1, 31))
    assert all(NUMBER.match(t) for t in Document.objects.values_list("number_text", flat=True))


def test_a_document_is_built_before_it_is_numbered_in_queries_that_do_not_grow_with_items(
    county,
):
    from django.test.utils import CaptureQueriesContext

    from tests.factories import LedgerItemFactory

    def issue_and_count():
        with CaptureQueriesContext(connection) as queries:
            document_issue(
                from_case=True,
                actor=county.caseworker,
                doc_type="statement",
                enterprise=county.enterprise,
                render=False,
            )
        sql = [q["sql"] for q in queries.captured_queries]
        locked = next(i for i, q in enumerate(sql) if "notices_documentcounter" in q and "FOR" in q)
        return len(sql), sql[locked:]

    few, _ = issue_and_count()
    for month in range(1, 13):  # 36 more items owed
        for year in (2022, 2023, 2024):
            LedgerItemFactory(enterprise=county.enterprise, period=date(year, month, 1))
    many, under_lock = issue_and_count()
    assert many == few  # the fee rules and payments are loaded once, not per item
    # Under the counter's lock: the number, the document, its audit entry; nothing is computed.
    assert not any("arrears_" in q for q in under_lock)
    assert len(under_lock) <= 6
