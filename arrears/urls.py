from django.urls import path

from arrears import views

app_name = "arrears"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export/", views.overview_export, name="export"),
    path("payments/export/", views.payments_export, name="payments_export"),
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
    path(
        "adjustments/<int:adjustment_id>/decide/",
        views.adjustment_decide,
        name="adjustment_decide",
    ),
]
