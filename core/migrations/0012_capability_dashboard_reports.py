from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0011_job_life_cycle")]

    operations = [
        migrations.AlterModelOptions(
            name="capability",
            options={
                "default_permissions": (),
                "managed": False,
                "permissions": (
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
                ),
            },
        ),
    ]
