from django.urls import path

from enforcement import views

app_name = "enforcement"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("today/", views.today_list, name="today"),
    path("export/", views.case_export, name="export"),
    path("approvals/", views.approval_list, name="approvals"),
    path("approvals/<int:approval_id>/decide/", views.approval_decide, name="approval_decide"),
    path("enterprise/<int:enterprise_id>/", views.enterprise_cases, name="enterprise"),
    path("enterprise/<int:enterprise_id>/open/", views.case_open, name="open"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/move/", views.case_move, name="move"),
    path("<int:case_id>/close/", views.case_close, name="close"),
    path("<int:case_id>/bank/", views.bank_result, name="bank"),
    path("<int:case_id>/fine/", views.fine, name="fine"),
]
