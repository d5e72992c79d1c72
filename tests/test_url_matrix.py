"""Every URL × every role. The table below is the specification, written out by hand from
DESIGN §1 and §5; a URL that is not in it fails the completeness test, so no page can be
added without deciding who may see it.
"""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver

from core.models import AdminChangeRequest, Job
from notices.models import ServiceRecord
from notices.services import issuing_body
from reports.archive import JOB_KIND as REPORT_JOB
from reports.archive import ReportFile, archive_store

# url name → (method, capability needed, scoped to an enterprise of the caller's townships)
URLS = {
    "login": ("GET", None, False),
    "logout": ("POST", None, False),
    "home": ("GET", "any", False),
    "audit_log": ("GET", "view_audit_log", False),
    "audit_export": ("GET", "view_audit_log", False),
    "users": ("GET", "manage_users", False),
    "user_create": ("GET", "manage_users", False),
    "user_edit": ("GET", "manage_users", False),
    "user_password": ("GET", "manage_users", False),
    "user_unlock": ("POST", "manage_users", False),
    "user_otp_reset": ("POST", "manage_users", False),
    # The security administrator decides these (not in this county); the requester withdraws.
    "admin_change_decide": ("POST", "manage_users", False),
    # One's own account: the second step of the login, the password, the authenticator.
    "login_verify": ("GET", "any", False),
    "password_change": ("GET", "any", False),
    "otp_setup": ("GET", "any", False),
    "otp_recovery": ("GET", "any", False),
    "otp_recovery_new": ("POST", "any", False),
    "otp_remove": ("POST", "any", False),
    "enterprises:list": ("GET", "view_enterprises", False),
    "enterprises:export": ("GET", "export_data", False),
    "enterprises:create": ("GET", "edit_enterprises", False),
    "enterprises:detail": ("GET", "view_enterprises", True),
    "enterprises:edit": ("GET", "edit_enterprises", True),
    "enterprises:unmask_id": ("POST", "unmask_personal_data", True),
    "enterprises:bank_account_create": ("GET", "edit_enterprises", True),
    "enterprises:bank_account_edit": ("GET", "edit_enterprises+unmask", True),
    "enterprises:bank_account_unmask": ("POST", "unmask_personal_data", True),
    "enterprises:organisation": ("GET", "manage_settings", False),
    "enterprises:region_create": ("GET", "manage_settings", False),
    "enterprises:region_edit": ("GET", "manage_settings", False),
    "enterprises:task_group_create": ("GET", "manage_settings", False),
    "enterprises:task_group_edit": ("GET", "manage_settings", False),
    "calendar": ("GET", "manage_settings", False),
    # The import pipeline, shown here for the tax-data importer (kind "tax").
    "imports:history": ("GET", "manage_ledger", False),
    "imports:upload": ("GET", "manage_ledger", False),
    "imports:template": ("GET", "manage_ledger", False),
    "imports:job": ("GET", "manage_ledger", False),
    "imports:confirm": ("POST", "manage_ledger", False),
    "imports:errors": ("GET", "manage_ledger", False),
    "arrears:overview": ("GET", "view_enterprises", False),
    "arrears:export": ("GET", "export_data", False),
    "arrears:calculator": ("GET", "view_enterprises", False),
    "arrears:policy": ("GET", "manage_settings", False),
    "arrears:enterprise": ("GET", "view_enterprises", True),
    "arrears:payment_create": ("GET", "manage_ledger", True),
    "arrears:suspension_create": ("GET", "manage_ledger", True),
    "arrears:item_segments": ("GET", "view_enterprises", True),
    "arrears:item_adjust": ("GET", "manage_ledger", True),
    "arrears:payment_reverse": ("GET", "manage_ledger", True),
    "arrears:suspension_decide": ("POST", "approve_actions", True),
    "arrears:adjustment_decide": ("POST", "approve_actions", True),
    "notices:list": ("GET", "view_enterprises", False),
    "notices:receipt": ("GET", "view_enterprises", True),
    "notices:office": ("GET", "manage_settings", False),
    "notices:seal_image": ("GET", "manage_settings", False),
    "notices:batch": ("GET", "issue_documents", False),
    "notices:batch_job": ("GET", "issue_documents", False),
    "notices:batch_pdf": ("GET", "issue_documents", False),
    "notices:batch_merge": ("POST", "issue_documents", False),
    "notices:enterprise": ("GET", "view_enterprises", True),
    "notices:issue": ("GET", "issue_documents", True),
    "notices:detail": ("GET", "view_enterprises", True),
    "notices:pdf": ("GET", "view_enterprises", True),
    "notices:void": ("POST", "issue_documents", True),
    "notices:service": ("POST", "issue_documents", True),
    "notices:proof": ("GET", "view_enterprises", True),
    "enforcement:list": ("GET", "view_enterprises", False),
    "enforcement:today": ("GET", "view_enterprises", False),
    "enforcement:export": ("GET", "export_data", False),
    "enforcement:approvals": ("GET", "approve_actions", False),
    "enforcement:approval_decide": ("POST", "approve_actions", True),
    "enforcement:enterprise": ("GET", "view_enterprises", True),
    "enforcement:open": ("POST", "issue_documents", True),
    "enforcement:detail": ("GET", "view_enterprises", True),
    "enforcement:move": ("POST", "issue_documents", True),
    "enforcement:close": ("POST", "issue_documents", True),
    "enforcement:bank": ("POST", "issue_documents", True),
    "enforcement:fine": ("POST", "issue_documents", True),
    "enforcement:fine_decide": ("POST", "approve_high_risk", True),
    "enforcement:fine_reminder": ("POST", "issue_documents", True),
    "dashboard:home": ("GET", "view_dashboard", False),
    "dashboard:targets": ("GET", "manage_targets", False),
    "dashboard:mine": ("GET", "issue_documents", False),
    "reports:index": ("GET", "view_reports", False),
    "reports:generate": ("POST", "view_reports", False),
    "reports:job": ("GET", "view_reports", False),
    "reports:download": ("GET", "view_reports", False),
    "arrears:payments_export": ("GET", "export_data", False),
    "notices:export": ("GET", "export_data", False),
    "enforcement:fine_court": ("POST", "approve_high_risk", True),
    "enforcement:penalty": ("POST", "issue_documents", True),
    "enforcement:defence": ("POST", "issue_documents", True),
    "enforcement:challenge": ("POST", "issue_documents", True),
    "enforcement:audit": ("POST", "issue_documents", True),
    "enforcement:review": ("POST", "issue_documents", True),
    "enforcement:write_off": ("POST", "issue_documents", True),
    "enforcement:bulk": ("POST", "issue_documents", False),
    "enforcement:leads": ("GET", "view_enterprises", False),
    "enforcement:lead": ("GET", "view_enterprises", True),
    "enforcement:lead_decide": ("POST", "issue_documents", True),
    "enforcement:settings": ("GET", "manage_settings", False),
}
# Uploads and batches are private to the person who started them: every other user gets 404.
OWN_JOB = {
    "imports:job",
    "imports:confirm",
    "imports:errors",
    "notices:batch_job",
    "notices:batch_pdf",
    "notices:batch_merge",
    "reports:job",
}
# Who started each private job of the matrix's county (the caseworker unless named here).
JOB_OWNER = {"reports:job": "supervisor"}

# What each role may do, from DESIGN §1 (an independent statement of core.roles).
_CASEWORK = {
    "view_enterprises",
    "edit_enterprises",
    "manage_ledger",
    "issue_documents",
    "export_data",
    "unmask_personal_data",
}
ROLE_CAN = {
    "caseworker": _CASEWORK,
    "group_leader": _CASEWORK | {"approve_actions", "view_dashboard"},
    "leader": {
        "view_enterprises",
        "export_data",
        "unmask_personal_data",
        "approve_actions",
        "approve_high_risk",
        "all_regions",
        "view_dashboard",
        "view_reports",
        "manage_targets",
    },
    "supervisor": {"view_enterprises", "export_data", "all_regions", "view_reports"},
    "sysadmin": {"manage_users", "manage_settings"},
    "auditor": {"view_audit_log"},
}


def _names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            yield from _names(pattern.url_patterns, prefix + namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name


@pytest.fixture
def county(county):
    """The shared county, with an open case and a pending approval in each township."""
    from enforcement.models import Approval, AuditLead
    from enforcement.services import case_open

    for prefix, enterprise, requester in (
        ("", county.enterprise, county.caseworker),
        ("other_", county.other_enterprise, county.outsider),
    ):
        case = case_open(actor=requester, enterprise=enterprise)
        setattr(county, f"{prefix}case", case)
        setattr(
            county,
            f"{prefix}lead",
            AuditLead.objects.create(
                enterprise=enterprise,
                rules=["base"],
                first_month="2026-05-01",
                last_month="2026-05-01",
                estimated_shortfall="2400.00",
            ),
        )
        setattr(
            county,
            f"{prefix}approval",
            Approval.objects.create(
                case=case,
                to_stage="bank",
                capability="approve_actions",
                reason="测试",
                requested_by=requester,
            ),
        )
    # A scan of each township's service, and the center's seal: files served only by views.
    for prefix, document, recorder in (
        ("", county.document, county.caseworker),
        ("other_", county.other_document, county.outsider),
    ):
        setattr(
            county,
            f"{prefix}service",
            ServiceRecord.objects.create(
                document=document,
                method="direct",
                served_on=date(2026, 11, 22),
                effective_on=date(2026, 11, 22),
                recorded_by=recorder,
                proof=default_storage.save("service/2026/scan.pdf", ContentFile(b"%PDF-1.4")),
            ),
        )
    center = issuing_body("center")
    center.seal_image = default_storage.save("seals/seal.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    center.save()
    county.admin_change = AdminChangeRequest.objects.create(
        kind="unlock",
        subject=county.auditor,
        subject_username=county.auditor.username,
        requested_by=county.sysadmin,
    )
    county.report_job = Job.objects.create(
        kind=REPORT_JOB, created_by=county.supervisor, status="done", result={"archives": []}
    )
    county.report_archive = archive_store(
        kind="monthly",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        report=ReportFile("月报.xlsx", b"PK test"),
    )
    return county


def test_every_url_is_in_the_matrix():
    names = set(_names(get_resolver().url_patterns))
    static = {n for n in names if n.startswith(("static", "media"))}
    assert names - static == set(URLS), "add new URLs to the matrix with who may reach them"


def _job(name, county):
    if name.startswith("notices:"):
        return county.batch_job
    if name.startswith("reports:"):
        return county.report_job
    return county.job


def _path(name, county, scoped_to_other):
    from django.urls import reverse

    def pick(name):
        return getattr(county, f"other_{name}" if scoped_to_other else name)

    kwargs_by_param = {
        "enterprise_id": pick("enterprise").pk,
        "account_id": pick("account").pk,
        "item_id": pick("item").pk,
        "payment_id": pick("payment").pk,
        "suspension_id": pick("suspension").pk,
        "adjustment_id": pick("adjustment").pk,
        "job_id": _job(name, county).pk,
        "archive_id": county.report_archive.pk,
        "document_id": pick("document").pk,
        "case_id": pick("case").pk,
        "approval_id": pick("approval").pk,
        "lead_id": pick("lead").pk,
        "service_id": pick("service").pk,
        "body": "center",
        "kind": "tax",
        "user_id": county.caseworker.pk,
        "change_id": county.admin_change.pk,
        "region_id": county.region_a.pk,
        "group_id": county.group_a.pk,
    }
    resolver = get_resolver()
    namespace, _, short = name.rpartition(":")
    patterns = (
        resolver.namespace_dict[namespace][1].reverse_dict if namespace else resolver.reverse_dict
    )
    params = patterns.getlist(short)[0][0][0][1]
    return reverse(name, kwargs={p: kwargs_by_param[p] for p in params})


def _request(client, county, role, name, *, scoped_to_other):
    if role != "anonymous":
        client.force_login(getattr(county, role))
    path = _path(name, county, scoped_to_other=scoped_to_other)
    return client.post(path) if URLS[name][0] == "POST" else client.get(path)


def _allowed(role, capability):
    can = ROLE_CAN[role]
    if capability == "any":
        return True
    if capability == "edit_enterprises+unmask":
        return {"edit_enterprises", "unmask_personal_data"} <= can
    return capability in can


@pytest.mark.parametrize("role", sorted(ROLE_CAN))
# Login and logout are open to all and covered by test_login.
@pytest.mark.parametrize("name", sorted(n for n, (_, capability, _) in URLS.items() if capability))
def test_role_reaches_exactly_what_it_may(client, county, role, name):
    capability = URLS[name][1]
    response = _request(client, county, role, name, scoped_to_other=False)
    if not _allowed(role, capability):
        assert response.status_code == 403, (role, name)
    elif name in OWN_JOB and role != JOB_OWNER.get(name, "caseworker"):
        assert response.status_code == 404  # another person's upload or batch
    else:
        assert response.status_code in (200, 302), (role, name, response.status_code)


@pytest.mark.parametrize("role", ["caseworker", "group_leader", "leader", "supervisor"])
@pytest.mark.parametrize("name", sorted(n for n, (_, _, scoped) in URLS.items() if scoped))
def test_another_townships_enterprise_is_not_found(client, county, role, name):
    capability = URLS[name][1]
    response = _request(client, county, role, name, scoped_to_other=True)
    if not _allowed(role, capability):
        assert response.status_code == 403
    elif "all_regions" in ROLE_CAN[role]:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 404, (role, name)


@pytest.mark.parametrize("name", sorted(n for n in URLS if n != "login"))
def test_anonymous_is_sent_to_login(client, county, name):
    response = _request(client, county, "anonymous", name, scoped_to_other=False)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
