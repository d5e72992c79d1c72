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
SECURITY_ADMIN = "安全管理员"
AUDIT_ADMIN = "审计管理员"

ROLES = (
    CASEWORKER,
    GROUP_LEADER,
    TASKFORCE_LEADER,
    SUPERVISOR,
    SYSTEM_ADMIN,
    SECURITY_ADMIN,
    AUDIT_ADMIN,
)
# 三员分立 (等保 level 3): the system, security and audit administrators are three people, none
# of whom works cases. An account holding one of these roles holds no other role, and a change
# to such an account needs the other administrator's confirmation (core.services).
ADMIN_ROLES = (SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN)
BUSINESS_ROLES = tuple(role for role in ROLES if role not in ADMIN_ROLES)

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
    ("confirm_admin_changes", "确认管理员和审计员账号的变更"),
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
    SECURITY_ADMIN: ("confirm_admin_changes",),
    AUDIT_ADMIN: ("view_audit_log",),
}


def capabilities(user) -> frozenset[str]:
    """The capabilities `user` holds: what `user.has_perm("core.…")` answers for each, read
    once and kept on the user object, as Django keeps the permissions themselves. Every page
    asks for all sixteen (the menu and its buttons, core.context_processors); through
    has_perm each question walked the authentication backends again."""
    held = getattr(user, "_capabilities", None)
    if held is None:
        if not user.is_active:
            held = frozenset()
        elif user.is_superuser:
            held = frozenset(codename for codename, _ in CAPABILITIES)
        else:
            held = frozenset(
                perm.removeprefix("core.")
                for perm in user.get_all_permissions()
                if perm.startswith("core.")
            )
        user._capabilities = held
    return held


def has_capability(user, codename: str) -> bool:
    return codename in capabilities(user)


def role_names(user) -> list[str]:
    """The names of the user's roles, sorted; read with the user's permissions when those were
    (core.backends.RoleModelBackend), as they are on every page."""
    names = getattr(user, "_role_names", None)
    if names is None:
        names = sorted(user.groups.values_list("name", flat=True))
    return names


def roles_problem(roles) -> str | None:
    """Why this set of roles may not be held by one account (三员分立), or None."""
    roles = set(roles)
    if not roles:
        return "请至少选择一个角色。"
    held_admin = [role for role in ADMIN_ROLES if role in roles]
    if held_admin and len(roles) > 1:
        return f"{held_admin[0]}不能同时担任其他角色（三员分立，管理员不办理业务）。"
    return None
