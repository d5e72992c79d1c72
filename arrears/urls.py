from django.urls import path

from arrears import views, views_import

app_name = "arrears"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export/", views.overview_export, name="export"),
    path("calculator/", views.calculator, name="calculator"),
    path("policy/", views.policy_edit, name="policy"),
    path("enterprise/<int:enterprise_id>/", views.enterprise_ledger, name="enterprise"),
    path(
        "enterprise/<int:enterprise_id>/payments/new/", views.payment_create, name="payment_create"
    ),
    path(
        "enterprise/<int:enterprise_id>/suspensions/new/",
        views.suspension_create,
        name="suspension_create",
    ),
    path("items/<int:item_id>/segments/", views.item_segments, name="item_segments"),
    path("items/<int:item_id>/adjust/", views.item_adjust, name="item_adjust"),
    path("payments/<int:payment_id>/reverse/", views.payment_reverse, name="payment_reverse"),
    path(
        "suspensions/<int:suspension_id>/decide/", views.suspension_decide, name="suspension_decide"
    ),
    path("import/", views_import.import_upload, name="import"),
    path("import/template/", views_import.import_template, name="import_template"),
    path("import/<int:job_id>/", views_import.import_job, name="import_job"),
    path("import/<int:job_id>/confirm/", views_import.import_confirm, name="import_confirm"),
]
