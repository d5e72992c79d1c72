from django.urls import path

from enforcement import views, views_casework, views_leads

app_name = "enforcement"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("today/", views.today_list, name="today"),
    path("export/", views.case_export, name="export"),
    path("bulk/", views.case_bulk, name="bulk"),
    path("approvals/", views.approval_list, name="approvals"),
    path("approvals/<int:approval_id>/decide/", views.approval_decide, name="approval_decide"),
    path("leads/", views_leads.lead_list, name="leads"),
    path("leads/<int:lead_id>/", views_leads.lead_detail, name="lead"),
    path("leads/<int:lead_id>/decide/", views_leads.lead_decide, name="lead_decide"),
    path("settings/", views_leads.casework_settings_edit, name="settings"),
    path("enterprise/<int:enterprise_id>/", views.enterprise_cases, name="enterprise"),
    path("enterprise/<int:enterprise_id>/open/", views.case_open, name="open"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/move/", views.case_move, name="move"),
    path("<int:case_id>/close/", views.case_close, name="close"),
    path("<int:case_id>/bank/", views.bank_result, name="bank"),
    path("<int:case_id>/fine/", views.fine, name="fine"),
    path("<int:case_id>/audit/", views_casework.audit_record, name="audit"),
    path("<int:case_id>/review/", views_casework.review, name="review"),
    path("<int:case_id>/write-off/", views_casework.write_off, name="write_off"),
]
