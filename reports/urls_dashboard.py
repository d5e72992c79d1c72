from django.urls import path

from reports import views_dashboard, views_targets

app_name = "dashboard"

urlpatterns = [
    path("", views_dashboard.home, name="home"),
    path("targets/", views_targets.targets, name="targets"),
    path("mine/", views_dashboard.mine, name="mine"),
]
