"""Roles are Django groups; what each may do is a capability (a permission on core.Capability).

Views ask for capabilities, never for role names, so a county can reshape a role by editing the
group's permissions without touching code. The groups and their capabilities are created by
migration core.0002 from a frozen copy of ROLE_CAPABILITIES.
"""

CASEWORKER = "经办人员"
GROUP_LEADER = "工作组组长"
TASKFORCE_LEADER = "专班领导"
SUPERVISOR = "督查人员"
SYSTEM_ADMIN = "系统管理员"
AUDIT_ADMIN = "审计管理员"

ROLES = (CASEWORKER, GROUP_LEADER, TASKFORCE_LEADER, SUPERVISOR, SYSTEM_ADMIN, AUDIT_ADMIN)

CAPABILITIES = (
    ("view_enterprises", "查看企业与欠费"),
    ("view_all_regions", "查看全部乡镇（不受工作组辖区限制）"),
    ("edit_enterprises", "登记、修改和导入企业"),
    ("export_data", "导出数据"),
    ("manage_ledger", "登记缴款、调整和导入欠费台账"),
    ("issue_documents", "出具、送达和作废文书"),
    ("unmask_personal_data", "查看身份证号和银行账号明文"),
    ("approve_actions", "审批案件事项"),
    ("approve_high_risk", "审批高风险事项"),
    ("manage_users", "管理用户"),
    ("manage_settings", "管理乡镇、工作组、政策和日历"),
    ("view_audit_log", "查看审计日志"),
    ("view_dashboard", "查看清欠工作驾驶舱"),
    ("view_reports", "生成和下载统计报表"),
    ("manage_targets", "设定清欠目标"),
)

_CASEWORK = (
    "view_enterprises",
    "edit_enterprises",
    "manage_ledger",
    "issue_documents",
    "export_data",
    "unmask_personal_data",
)

ROLE_CAPABILITIES = {
    CASEWORKER: _CASEWORK,
    GROUP_LEADER: (*_CASEWORK, "approve_actions", "view_dashboard"),
    TASKFORCE_LEADER: (
        "view_enterprises",
        "view_all_regions",
        "export_data",
        "unmask_personal_data",
        "approve_actions",
        "approve_high_risk",
        "view_dashboard",
        "view_reports",
        "manage_targets",
    ),
    SUPERVISOR: ("view_enterprises", "view_all_regions", "export_data", "view_reports"),
    SYSTEM_ADMIN: ("manage_users", "manage_settings"),
    AUDIT_ADMIN: ("view_audit_log",),
}


def has_capability(user, codename: str) -> bool:
    return user.is_active and user.has_perm(f"core.{codename}")


def role_names(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))
