import pytest
from django.db import transaction
from django.db.utils import DatabaseError

from core.audit import log_action


def test_log_action_records_who_what_object_result_and_ip(rf, county):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    entry = log_action(
        actor=county.caseworker, action="update", obj=county.enterprise, request=request
    )
    entry.refresh_from_db()
    assert entry.actor_username == "jingban"
    assert entry.object_type == "enterprises.enterprise"
    assert entry.object_id == str(county.enterprise.pk)
    assert entry.object_repr == "壶关县鑫源机械制造有限公司"
    assert entry.ip == "10.1.2.3"
    assert entry.result == "success"


def test_orm_update_is_rejected(county):
    entry = log_action(actor=county.caseworker, action="export")
    entry.action = "login"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    entry.refresh_from_db()
    assert entry.action == "export"


def test_audit_page_searches_by_user_action_and_object(client, county):
    log_action(actor=county.caseworker, action="unmask", obj=county.enterprise)
    log_action(actor=county.leader, action="export")
    client.force_login(county.auditor)
    page = client.get("/audit/", {"username": "jingban", "action": "unmask"}).content.decode()
    assert "壶关县鑫源机械制造有限公司" in page
    assert "lingdao" not in page
    page = client.get("/audit/", {"text": "没有这家企业"}).content.decode()
    assert "没有符合条件的日志" in page


def test_auditor_sees_the_log_but_no_enterprise(client, county):
    client.force_login(county.auditor)
    assert client.get("/audit/").status_code == 200
    assert client.get("/enterprises/").status_code == 403


def test_every_other_role_is_refused_the_log(client, county):
    for user in (
        county.caseworker,
        county.group_leader,
        county.leader,
        county.supervisor,
        county.sysadmin,
    ):
        client.force_login(user)
        assert client.get("/audit/").status_code == 403
