from core.models import AuditEntry


def test_detail_masks_the_id_number_and_bank_account(client, county):
    client.force_login(county.caseworker)
    page = client.get(f"/enterprises/{county.enterprise.pk}/").content.decode()
    id_number = county.enterprise.legal_rep_id_number
    assert id_number not in page
    assert f"{id_number[:6]}********{id_number[-4:]}" in page
    number = county.account.account_number
    assert number not in page
    assert number[:6] + "*" * (len(number) - 10) + number[-4:] in page


def test_unmasking_shows_the_value_and_is_audited(client, county):
    client.force_login(county.caseworker)
    response = client.post(
        f"/enterprises/{county.enterprise.pk}/unmask/", headers={"HX-Request": "true"}
    )
    assert county.enterprise.legal_rep_id_number in response.content.decode()
    entry = AuditEntry.objects.get(action="unmask")
    assert (entry.actor, entry.object_id) == (county.caseworker, str(county.enterprise.pk))
    assert entry.detail == {"field": "legal_rep_id_number"}


def test_bank_account_unmasking_is_audited(client, county):
    client.force_login(county.leader)
    url = f"/enterprises/{county.enterprise.pk}/bank-accounts/{county.account.pk}/unmask/"
    assert county.account.account_number in client.post(url).content.decode()
    assert AuditEntry.objects.get(action="unmask").object_type == "enterprises.bankaccount"


def test_supervisor_sees_no_unmask_button_and_cannot_unmask(client, county):
    client.force_login(county.supervisor)
    page = client.get(f"/enterprises/{county.enterprise.pk}/").content.decode()
    assert "显示</button>" not in page
    assert client.post(f"/enterprises/{county.enterprise.pk}/unmask/").status_code == 403
    assert not AuditEntry.objects.filter(action="unmask").exists()


def test_unmask_needs_post(client, county):
    client.force_login(county.caseworker)
    assert client.get(f"/enterprises/{county.enterprise.pk}/unmask/").status_code == 405
