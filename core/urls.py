from django.urls import path

from core import views, views_account, views_audit

urlpatterns = [
    path("login/", views.QingqianLoginView.as_view(), name="login"),
    path("login/verify/", views_account.login_verify, name="login_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("account/password/", views_account.password_change, name="password_change"),
    path("account/2fa/", views_account.otp_setup, name="otp_setup"),
    path("account/2fa/recovery/", views_account.otp_recovery, name="otp_recovery"),
    path("account/2fa/recovery/new/", views_account.otp_recovery_new, name="otp_recovery_new"),
    path("account/2fa/remove/", views_account.otp_remove, name="otp_remove"),
    path("", views.home, name="home"),
    path("audit/", views_audit.audit_log, name="audit_log"),
    path("audit/export/", views_audit.audit_export, name="audit_export"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/password/", views.user_password, name="user_password"),
    path("users/<int:user_id>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:user_id>/otp-reset/", views.user_otp_reset, name="user_otp_reset"),
    path("users/changes/<int:change_id>/", views.admin_change_decide, name="admin_change_decide"),
    path("calendar/", views.calendar, name="calendar"),
]
