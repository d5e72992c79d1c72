"""How a document may be served (DESIGN §3.8; 行政强制法 第三十八条, 行政处罚法 第六十一条,
民事诉讼法 第九十条、第九十五条): a 催告书 or an enforcement decision is served directly first,
public notice of one needs a failed direct attempt on record and the reason, and electronic
service of any document needs the enterprise's consent."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from notices.models import Document, ServiceRecord
from notices.services import DIRECT_FIRST, document_issue, service_record

TODAY = date(2026, 11, 22)  # the suite's frozen day
REASON = "该单位注册地址已无人办公，法定代表人电话停机；邮寄送达被退回，注明“查无此单位”。"


def _issue(county, doc_type="reminder", issued_on=None) -> Document:
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type=doc_type,
        enterprise=county.enterprise,
        extra={"fine_multiple": "1"} if doc_type.startswith("penalty") else None,
        render=False,
    )
    if issued_on:
        Document.objects.filter(pk=document.pk).update(issued_on=issued_on)
        document.refresh_from_db()
    return document


def _serve(county, document, **kwargs) -> ServiceRecord:
    return service_record(
        actor=county.caseworker,
        document=document,
        **{"method": "direct", "served_on": TODAY, **kwargs},
    )


def _refusal(county, document, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        _serve(county, document, **kwargs)
    return caught.value.message_dict


def _attempt(county, document, served_on=TODAY) -> ServiceRecord:
    return _serve(
        county,
        document,
        method="direct",
        served_on=served_on,
        failed=True,
        note="前往注册地址，大门紧锁，无人签收",
    )


def test_the_types_served_directly_first():
    """The brief's list and the retired 催告书; a new decision type must be added here on purpose."""
    assert set(DIRECT_FIRST) == {
        "reminder",
        "rectification_order",
        "transfer_decision",
        "penalty_notice",
        "hearing_notice",
        "penalty_decision",
    }


@pytest.mark.parametrize("doc_type", sorted(DIRECT_FIRST - {"rectification_order"}))
def test_public_notice_without_attempt_or_reason_is_refused(county, doc_type):
    document = _issue(county, doc_type)
    errors = _refusal(county, document, method="public")
    assert (
        "公告送达，须写明直接送达、留置送达、邮寄送达均未能送达的情况" in errors["public_reason"][0]
    )
    assert "应当先直接送达" in errors["method"][0]
    document.refresh_from_db()
    assert document.served_on is None and not document.services.exists()


def test_public_notice_of_any_document_records_why_the_others_failed(county):
    """DESIGN §3.8: public notice only with the record of why other methods failed; a notice
    that is not an enforcement decision needs no direct attempt first."""
    document = _issue(county, "deadline_notice")
    errors = _refusal(county, document, method="public")
    assert set(errors) == {"public_reason"}
    record = _serve(county, document, method="public", public_reason=REASON)
    assert record.public_reason == REASON


def test_a_reason_alone_does_not_allow_public_notice_of_a_reminder(county):
    """The stricter reading: the reason is not enough without a direct attempt on record."""
    document = _issue(county)
    errors = _refusal(county, document, method="public", public_reason=REASON)
    assert set(errors) == {"method"}
    assert not document.services.exists()


def test_an_attempt_alone_does_not_allow_it_either(county):
    document = _issue(county)
    _attempt(county, document)
    errors = _refusal(county, document, method="public", public_reason="   ")
    assert set(errors) == {"public_reason"}


def test_public_notice_after_a_failed_direct_attempt_with_the_reason(county):
    document = _issue(county)
    _attempt(county, document)
    record = _serve(county, document, method="public", public_reason=REASON)
    document.refresh_from_db()
    assert record.public_reason == REASON and not record.failed
    assert record.effective_on == date(2026, 12, 22)  # 30 days after publication
    assert document.served_on == date(2026, 12, 22) and document.deadline > date(2026, 12, 22)


def test_an_attempt_after_the_publication_does_not_count(county):
    document = _issue(county, issued_on=date(2026, 11, 1))
    _attempt(county, document, served_on=date(2026, 11, 20))
    errors = _refusal(
        county, document, method="public", served_on=date(2026, 11, 10), public_reason=REASON
    )
    assert set(errors) == {"method"}


@pytest.mark.parametrize("method", ["post", "electronic", "left"])
def test_only_a_failed_direct_attempt_opens_public_notice(county, method):
    """Post returned or an undelivered e-mail is no visit: 行政强制法 第三十八条 wants the direct
    attempt first (a 留置 is itself service and cannot fail)."""
    document = _issue(county)
    ServiceRecord.objects.create(
        document=document,
        method=method,
        served_on=TODAY,
        effective_on=TODAY,
        failed=True,
        witness="村委会 李四",
        electronic_consent=True,
        note="退回",
        recorded_by=county.caseworker,
    )
    errors = _refusal(county, document, method="public", public_reason=REASON)
    assert set(errors) == {"method"}


def test_a_failed_attempt_serves_nothing(county):
    document = _issue(county)
    record = _attempt(county, document)
    document.refresh_from_db()
    assert record.failed and document.served_on is None and document.deadline is None
    # The document is then served directly after all: that service counts.
    _serve(county, document, method="direct", recipient="王会计")
    document.refresh_from_db()
    assert document.served_on == TODAY and document.deadline is not None


def test_a_failed_attempt_says_what_happened(county):
    document = _issue(county)
    assert set(_refusal(county, document, failed=True, note=" ")) == {"note"}
    assert set(_refusal(county, document, method="public", failed=True, note="x")) >= {"failed"}
    assert set(_refusal(county, document, method="left", failed=True, witness="李四")) == {"failed"}
    assert not document.services.exists()


def test_direct_and_left_service_of_a_reminder_need_no_attempt(county):
    document = _issue(county)
    _serve(county, document, method="left", witness="村委会 李四")
    document.refresh_from_db()
    assert document.served_on == TODAY
    assert set(_refusal(county, _issue(county), method="left")) == {"witness"}


@pytest.mark.parametrize("doc_type", ["deadline_notice", "reminder", "penalty_decision"])
def test_electronic_service_needs_the_enterprises_consent(county, doc_type):
    document = _issue(county, doc_type)
    errors = _refusal(county, document, method="electronic", recipient="hr@example.com")
    assert set(errors) == {"electronic_consent"}
    assert "未同意电子送达" in errors["electronic_consent"][0]
    document.refresh_from_db()
    assert document.served_on is None
    record = _serve(county, document, method="electronic", electronic_consent=True)
    document.refresh_from_db()
    assert record.electronic_consent and document.served_on == TODAY


def test_a_public_notice_is_never_a_failed_attempt_in_the_database(county):
    from django.db import IntegrityError, transaction

    document = _issue(county, "deadline_notice")
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRecord.objects.create(
            document=document,
            method="public",
            served_on=TODAY,
            effective_on=TODAY,
            failed=True,
            recorded_by=county.caseworker,
        )


# -- the form -------------------------------------------------------------------------------------


def _post(client, document, follow=False, **fields):
    form = {"method": "direct", "served_on": "2026-11-22", **fields}
    return client.post(f"/notices/{document.pk}/service/", form, follow=follow)


def test_the_refusal_is_on_its_field_and_keeps_what_was_typed(client, county):
    client.force_login(county.caseworker)
    document = _issue(county)
    response = _post(
        client, document, method="public", note="县人社局公告栏及门户网站", recipient="无"
    )
    form = response.context["service_form"]
    assert response.status_code == 200
    assert "公告送达，须写明" in form.errors["public_reason"][0]
    assert "应当先直接送达" in form.errors["method"][0]
    page = response.content.decode()
    assert 'value="县人社局公告栏及门户网站"' in page
    assert '<option value="public" selected>' in page
    assert not document.services.exists()


def test_the_form_serves_publicly_after_the_recorded_attempt(client, county):
    client.force_login(county.caseworker)
    document = _issue(county)
    first = _post(client, document, failed="on", note="无人签收", follow=True)
    assert "未能送达" in first.content.decode()
    response = _post(client, document, method="public", public_reason=REASON)
    assert response.status_code == 302
    record = document.services.get(method="public")
    assert record.public_reason == REASON
    page = client.get(f"/notices/{document.pk}/").content.decode()
    assert "公告送达理由：" in page and "未能送达" in page


def test_the_form_refuses_electronic_service_without_consent(client, county):
    client.force_login(county.caseworker)
    document = county.document
    response = _post(client, document, method="electronic", recipient="cw@example.com")
    form = response.context["service_form"]
    assert "未同意电子送达" in form.errors["electronic_consent"][0]
    assert 'value="cw@example.com"' in response.content.decode()
    assert not document.services.exists()
    accepted = _post(
        client, document, method="electronic", recipient="cw@example.com", electronic_consent="on"
    )
    assert accepted.status_code == 302
    assert document.services.get().electronic_consent
