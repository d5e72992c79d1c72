from django.urls import path

from core import views, views_audit

urlpatterns = [
    path("login/", views.QingqianLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("", views.home, name="home"),
    path("audit/", views_audit.audit_log, name="audit_log"),
    path("audit/export/", views_audit.audit_export, name="audit_export"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/password/", views.user_password, name="user_password"),
    path("users/<int:user_id>/unlock/", views.user_unlock, name="user_unlock"),
    path("calendar/", views.calendar, name="calendar"),
]
