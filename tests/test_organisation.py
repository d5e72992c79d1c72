from core.models import AuditEntry


def test_moving_a_township_moves_the_jurisdiction(client, county):
    client.force_login(county.sysadmin)
    response = client.post(
        f"/enterprises/organisation/groups/{county.group_a.pk}/",
        {
            "name": "第一工作组",
            "leader": county.group_leader.pk,
            "members": [county.caseworker.pk],
            "regions": [county.region_a.pk, county.region_b.pk],
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="settings").detail["regions"] == ["百尺镇", "龙泉镇"]
    client.force_login(county.caseworker)
    page = client.get("/enterprises/").content.decode()
    assert county.other_enterprise.name in page
    client.force_login(county.outsider)
    assert county.other_enterprise.name not in client.get("/enterprises/").content.decode()


def test_removing_a_member_ends_their_access(client, county):
    client.force_login(county.sysadmin)
    client.post(
        f"/enterprises/organisation/groups/{county.group_a.pk}/",
        {
            "name": "第一工作组",
            "leader": county.group_leader.pk,
            "members": [],
            "regions": [county.region_a.pk],
        },
    )
    client.force_login(county.caseworker)
    assert client.get(f"/enterprises/{county.enterprise.pk}/").status_code == 404


def test_new_township(client, county):
    client.force_login(county.sysadmin)
    client.post(
        "/enterprises/organisation/regions/new/",
        {"name": "黄山乡", "code": "140527104", "task_group": county.group_b.pk},
    )
    page = client.get("/enterprises/organisation/").content.decode()
    assert "黄山乡" in page
