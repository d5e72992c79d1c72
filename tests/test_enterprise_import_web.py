"""The enterprise register's import through the pipeline, in the browser's terms."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from enterprises.models import Enterprise
from tests.factories import make_uscc
from tests.imports_web import confirm, page, upload
from tests.xlsx import ENTERPRISE_HEADERS, make_xlsx

CODE = make_uscc(880001)


def test_template_has_the_documented_headers(client, county):
    client.force_login(county.caseworker)
    content = client.get("/imports/enterprises/template/").content
    headers = next(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))
    assert list(headers) == ENTERPRISE_HEADERS  # the columns of DESIGN §4


def test_upload_preview_confirm(client, county, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(county.caseworker)
    rows = [[CODE, "壶关县新公司", "龙泉镇"], [county.enterprise.credit_code, "新名字", "龙泉镇"]]
    response, job = upload(
        client,
        django_capture_on_commit_callbacks,
        "enterprises",
        make_xlsx(tmp_path / "e.xlsx", rows),
    )
    assert response["Location"] == f"/imports/job/{job.pk}/"
    preview = page(client, job)
    assert "新增企业" in preview and "更新已有企业" in preview
    assert "壶关县鑫源机械制造有限公司 → 新名字" in preview
    assert not Enterprise.objects.filter(credit_code=CODE).exists()  # preview writes nothing

    confirm(client, django_capture_on_commit_callbacks, job)
    assert "已导入 2 行：新增 1 家，更新 1 家。" in page(client, job)
    assert Enterprise.objects.get(credit_code=CODE).name == "壶关县新公司"


def test_problems_are_listed_in_chinese_and_nothing_is_kept(
    client, county, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(county.caseworker)
    rows = [[CODE, "好公司", "龙泉镇"], [CODE[:-1] + "0", "坏公司", "火星镇"]]
    _, job = upload(
        client,
        django_capture_on_commit_callbacks,
        "enterprises",
        make_xlsx(tmp_path / "e.xlsx", rows),
    )
    shown = page(client, job)
    assert "没有写入任何数据" in shown
    assert "第 3 行「所属乡镇」列：乡镇「火星镇」不存在" in shown
    assert not Enterprise.objects.filter(credit_code=CODE).exists()
    assert not list((tmp_path / "media" / "imports").glob("*.xlsx"))  # the file is not kept


def test_not_an_excel_file(client, county, django_capture_on_commit_callbacks):
    client.force_login(county.caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/imports/enterprises/",
            {"file": SimpleUploadedFile("名单.xls", b"\xd0\xcf\x11\xe0 old excel")},
        )
    assert "不是 Excel 工作簿" in client.get(response["Location"]).content.decode()


def _caseworkers_upload(client, county, tmp_path, capture):
    client.force_login(county.caseworker)
    path = make_xlsx(tmp_path / "名册.xlsx", [[CODE, "新公司", "龙泉镇"]])
    return upload(client, capture, "enterprises", path)[1]


def test_another_users_upload_cannot_be_confirmed(
    client, county, tmp_path, django_capture_on_commit_callbacks
):
    job = _caseworkers_upload(client, county, tmp_path, django_capture_on_commit_callbacks)
    client.force_login(county.group_leader)
    assert client.post(f"/imports/job/{job.pk}/confirm/").status_code == 404
    assert client.get(f"/imports/job/{job.pk}/").status_code == 404
    assert not Enterprise.objects.filter(credit_code=CODE).exists()


def test_the_history_shows_the_imports_of_ones_task_groups(
    client, county, tmp_path, django_capture_on_commit_callbacks
):
    job = _caseworkers_upload(client, county, tmp_path, django_capture_on_commit_callbacks)
    client.force_login(county.group_leader)  # leads the caseworker's group
    assert "名册.xlsx" in client.get("/imports/").content.decode()
    client.force_login(county.outsider)  # another group
    assert "名册.xlsx" not in client.get("/imports/").content.decode()
    # Seeing the history is not taking over the upload: the preview stays its uploader's.
    client.force_login(county.group_leader)
    assert client.get(f"/imports/job/{job.pk}/").status_code == 404
