from types import SimpleNamespace

import pytest
import time_machine

from core import roles
from tests.factories import (
    BankAccountFactory,
    EnterpriseFactory,
    RegionFactory,
    TaskGroupFactory,
    UserFactory,
)

# A fixed moment for tests that read the clock: 2026-11-22 10:00 in Asia/Shanghai.
NOW = "2026-11-22T02:00:00Z"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def county(db):
    """Two task groups with one township each, and a user for every role.

    `caseworker` and `group_leader` work in group A; `outsider` is a caseworker of group B.
    `enterprise` is in A's township, `other_enterprise` in B's.
    """
    group_a, group_b = TaskGroupFactory(name="第一工作组"), TaskGroupFactory(name="第二工作组")
    region_a = RegionFactory(name="龙泉镇", task_group=group_a)
    region_b = RegionFactory(name="百尺镇", task_group=group_b)
    caseworker = UserFactory(username="jingban", role=roles.CASEWORKER)
    group_leader = UserFactory(username="zuzhang", role=roles.GROUP_LEADER)
    outsider = UserFactory(username="jingban2", role=roles.CASEWORKER)
    group_a.leader = group_leader
    group_a.save()
    group_a.members.add(caseworker)
    group_b.members.add(outsider)
    enterprise = EnterpriseFactory(region=region_a, name="壶关县鑫源机械制造有限公司")
    other_enterprise = EnterpriseFactory(region=region_b, name="壶关县恒达建材有限公司")
    return SimpleNamespace(
        group_a=group_a,
        group_b=group_b,
        region_a=region_a,
        region_b=region_b,
        caseworker=caseworker,
        group_leader=group_leader,
        outsider=outsider,
        leader=UserFactory(username="lingdao", role=roles.TASKFORCE_LEADER),
        supervisor=UserFactory(username="ducha", role=roles.SUPERVISOR),
        sysadmin=UserFactory(username="admin", role=roles.SYSTEM_ADMIN),
        auditor=UserFactory(username="shenji", role=roles.AUDIT_ADMIN),
        enterprise=enterprise,
        other_enterprise=other_enterprise,
        account=BankAccountFactory(enterprise=enterprise),
        other_account=BankAccountFactory(enterprise=other_enterprise),
    )


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user
