from django.urls import path

from enterprises import views, views_settings

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("export/", views.enterprise_export, name="export"),
    path("new/", views.enterprise_create, name="create"),
    path("<int:enterprise_id>/", views.enterprise_detail, name="detail"),
    path("<int:enterprise_id>/edit/", views.enterprise_edit, name="edit"),
    path("<int:enterprise_id>/unmask/", views.enterprise_unmask_id, name="unmask_id"),
    path(
        "<int:enterprise_id>/bank-accounts/new/",
        views.bank_account_edit,
        name="bank_account_create",
    ),
    path(
        "<int:enterprise_id>/bank-accounts/<int:account_id>/edit/",
        views.bank_account_edit,
        name="bank_account_edit",
    ),
    path(
        "<int:enterprise_id>/bank-accounts/<int:account_id>/unmask/",
        views.bank_account_unmask,
        name="bank_account_unmask",
    ),
    path("organisation/", views_settings.organisation, name="organisation"),
    path("organisation/regions/new/", views_settings.region_edit, name="region_create"),
    path("organisation/regions/<int:region_id>/", views_settings.region_edit, name="region_edit"),
    path("organisation/groups/new/", views_settings.task_group_edit, name="task_group_create"),
    path(
        "organisation/groups/<int:group_id>/",
        views_settings.task_group_edit,
        name="task_group_edit",
    ),
]
