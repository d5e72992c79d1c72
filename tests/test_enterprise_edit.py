from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEntry
from enterprises.codes import NOT_YOURS
from enterprises.models import BankAccount, Enterprise
from tests.factories import make_id_number, make_uscc


def _form(county, **changes):
    data = {
        "credit_code": make_uscc(777),
        "name": "壶关县新登记有限公司",
        "unit_number": "",
        "region": county.region_a.pk,
        "industry": "C",
        "ownership": "limited",
        "status": "normal",
        "legal_representative": "王五",
        "legal_rep_id_number": make_id_number(5),
        "phone": "0355-1234567",
        "address": "",
        "headcount": "12",
    }
    data.update(changes)
    return data


def test_caseworker_registers_an_enterprise_in_own_township(client, county):
    client.force_login(county.caseworker)
    response = client.post("/enterprises/new/", _form(county))
    enterprise = Enterprise.objects.get(credit_code=make_uscc(777))
    assert response["Location"] == f"/enterprises/{enterprise.pk}/"
    assert AuditEntry.objects.filter(action="create", object_id=str(enterprise.pk)).exists()


def test_bad_code_is_explained_in_chinese_and_input_kept(client, county):
    client.force_login(county.caseworker)
    bad = make_uscc(777)[:-1] + "0"
    page = client.post("/enterprises/new/", _form(county, credit_code=bad)).content.decode()
    assert "校验位错误" in page
    assert "壶关县新登记有限公司" in page  # nothing the user typed is lost
    assert not Enterprise.objects.filter(name="壶关县新登记有限公司").exists()


def test_caseworker_cannot_register_into_another_groups_township(client, county):
    client.force_login(county.caseworker)
    page = client.post(
        "/enterprises/new/", _form(county, region=county.region_b.pk)
    ).content.decode()
    assert "选择一个有效的选项" in page
    assert not Enterprise.objects.filter(name="壶关县新登记有限公司").exists()


def test_another_townships_code_or_unit_number_is_refused_without_naming_it(client, county):
    # Issue 13 §3: the message said the code belonged to an enterprise of another township.
    other = county.other_enterprise
    other.unit_number = "140527-0099"
    other.save()
    client.force_login(county.caseworker)
    for field, value in (("credit_code", other.credit_code), ("unit_number", other.unit_number)):
        page = client.post("/enterprises/new/", _form(county, **{field: value})).content.decode()
        assert NOT_YOURS in page
        assert other.name not in page and "已存在" not in page and "其他工作组" not in page
        assert "壶关县新登记有限公司" in page  # the input is kept
    assert not Enterprise.objects.filter(name="壶关县新登记有限公司").exists()


def test_an_own_townships_code_is_refused_with_the_enterprise_named(client, county):
    client.force_login(county.caseworker)
    code = county.enterprise.credit_code
    page = client.post("/enterprises/new/", _form(county, credit_code=code)).content.decode()
    assert f"本辖区的“{county.enterprise.name}”已使用该号码" in page


def test_bankruptcy_status_needs_the_acceptance_date(client, county):
    client.force_login(county.caseworker)
    page = client.post(
        "/enterprises/new/", _form(county, status="bankruptcy_accepted")
    ).content.decode()
    assert "须填写法院受理日期" in page


def test_edit_is_audited_with_the_changes_and_never_the_clear_id(client, county):
    client.force_login(county.caseworker)
    url = f"/enterprises/{county.enterprise.pk}/edit/"
    page = client.get(url).content.decode()
    assert county.enterprise.legal_rep_id_number in page  # the form shows it in clear …
    assert AuditEntry.objects.filter(action="unmask").count() == 1  # … so that is logged
    data = _form(
        county,
        credit_code=county.enterprise.credit_code,
        name="改了名字",
        legal_rep_id_number=make_id_number(9),
    )
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(action="update")
    assert entry.detail["changes"]["name"] == ["壶关县鑫源机械制造有限公司", "改了名字"]
    assert entry.detail["changes"]["legal_rep_id_number"] == ["***", "***"]


def test_credit_code_cannot_be_changed_by_editing(client, county):
    client.force_login(county.caseworker)
    original = county.enterprise.credit_code
    data = _form(county, credit_code=make_uscc(778))
    client.post(f"/enterprises/{county.enterprise.pk}/edit/", data)
    county.enterprise.refresh_from_db()
    assert county.enterprise.credit_code == original


def test_a_second_basic_account_demotes_the_first(client, county):
    client.force_login(county.caseworker)
    url = f"/enterprises/{county.enterprise.pk}/bank-accounts/new/"
    response = client.post(
        url,
        {
            "bank_name": "中国农业银行壶关县支行",
            "account_number": "6228 4801 2345 6789 012",
            "is_basic": "on",
        },
    )
    assert response.status_code == 302
    basics = BankAccount.objects.filter(enterprise=county.enterprise, is_basic=True)
    assert [a.account_number for a in basics] == ["6228480123456789012"]


def test_saving_an_account_locks_the_enterprise_then_its_accounts_in_id_order(client, county):
    # As the key rotation locks accounts (core.field_keys): in id order, after no enterprise.
    other = BankAccount.objects.create(
        enterprise=county.enterprise,
        bank_name="中国建设银行壶关支行",
        account_number="6217000011112222",
    )
    client.force_login(county.caseworker)
    with CaptureQueriesContext(connection) as queries:
        client.post(
            f"/enterprises/{county.enterprise.pk}/bank-accounts/{other.pk}/edit/",
            {
                "bank_name": "中国建设银行壶关支行",
                "account_number": "6217000011112222",
                "is_basic": "on",
            },
        )
    locks = [q["sql"] for q in queries.captured_queries if "FOR NO KEY UPDATE" in q["sql"]]
    assert [sql.split(" FROM ")[1].split()[0] for sql in locks] == [
        '"enterprises_enterprise"',
        '"enterprises_bankaccount"',
    ]
    assert BankAccount.objects.get(is_basic=True, enterprise=county.enterprise).pk == other.pk


def test_bank_account_number_must_be_digits(client, county):
    client.force_login(county.caseworker)
    url = f"/enterprises/{county.enterprise.pk}/bank-accounts/new/"
    page = client.post(url, {"bank_name": "某银行", "account_number": "62-ABC"}).content.decode()
    assert "账号应为 6 到 40 位数字" in page
