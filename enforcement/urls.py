from django.urls import path

from enforcement.views import audits, cases, due_process, leads, penalties, transfers

app_name = "enforcement"

urlpatterns = [
    path("", cases.case_list, name="list"),
    path("today/", cases.today_list, name="today"),
    path("export/", cases.case_export, name="export"),
    path("bulk/", cases.case_bulk, name="bulk"),
    path("approvals/", cases.approval_list, name="approvals"),
    path("approvals/<int:approval_id>/decide/", cases.approval_decide, name="approval_decide"),
    path("leads/", leads.lead_list, name="leads"),
    path("leads/<int:lead_id>/", leads.lead_detail, name="lead"),
    path("leads/<int:lead_id>/decide/", leads.lead_decide, name="lead_decide"),
    path("settings/", leads.casework_settings_edit, name="settings"),
    path("enterprise/<int:enterprise_id>/", cases.enterprise_cases, name="enterprise"),
    path("enterprise/<int:enterprise_id>/open/", cases.case_open, name="open"),
    path("<int:case_id>/", cases.case_detail, name="detail"),
    path("<int:case_id>/move/", cases.case_move, name="move"),
    path("<int:case_id>/close/", cases.case_close, name="close"),
    path("<int:case_id>/bank/", transfers.bank_result, name="bank"),
    path("<int:case_id>/fine/", penalties.fine_payment, name="fine"),
    path("<int:case_id>/fine/decide/", penalties.fine_decision, name="fine_decide"),
    path("<int:case_id>/fine/reminder/", penalties.fine_reminder, name="fine_reminder"),
    path("<int:case_id>/fine/court/", penalties.fine_court, name="fine_court"),
    path("<int:case_id>/penalty/", penalties.penalty_step, name="penalty"),
    path("<int:case_id>/defence/", due_process.defence, name="defence"),
    path("<int:case_id>/challenge/", due_process.challenge, name="challenge"),
    path("<int:case_id>/audit/", audits.audit_record, name="audit"),
    path("<int:case_id>/review/", cases.review, name="review"),
    path("<int:case_id>/write-off/", cases.write_off, name="write_off"),
]
