"""Work a user started and a worker finished is logged as the user's, from the user's address
(GB/T 22239 §8.1.4.3 b): an import, a batch of notices."""

from django.test import Client

from core.models import AuditEntry
from tests.factories import make_uscc
from tests.imports_web import confirm, upload
from tests.xlsx import ENTERPRISE_HEADERS, make_xlsx

ADDRESS = "10.9.8.7"


def test_an_import_is_logged_from_the_address_it_was_started_from(
    county, tmp_path, django_capture_on_commit_callbacks
):
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(county.caseworker)
    path = make_xlsx(
        tmp_path / "e.xlsx",
        [[make_uscc(880101), "新开机械有限公司", "龙泉镇"]],
        headers=ENTERPRISE_HEADERS[:3],
    )
    _, job = upload(client, django_capture_on_commit_callbacks, "enterprises", path)
    assert job.ip == ADDRESS
    confirm(client, django_capture_on_commit_callbacks, job)
    entry = AuditEntry.objects.get(action="import", actor=county.caseworker)
    assert entry.ip == ADDRESS


def test_a_batch_of_notices_is_logged_from_the_address_it_was_started_from(
    county, django_capture_on_commit_callbacks
):
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(county.caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/notices/batch/",
            {
                "doc_type": "deadline_notice",
                "region": county.region_a.pk,
                "enterprise": [county.enterprise.pk],
            },
        )
    assert response.status_code == 302
    issued = AuditEntry.objects.filter(action="issue", actor=county.caseworker).exclude(
        object_id=str(county.document.pk)
    )
    assert issued.exists()
    assert {entry.ip for entry in issued} == {ADDRESS}
