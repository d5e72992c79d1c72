from django.urls import include, path

urlpatterns = [
    path("", include("core.urls")),
    path("imports/", include("core.urls_imports")),
    path("enterprises/", include("enterprises.urls")),
    path("arrears/", include("arrears.urls")),
    path("notices/", include("notices.urls")),
    path("cases/", include("enforcement.urls")),
    path("reports/", include("reports.urls")),
    path("dashboard/", include("reports.urls_dashboard")),
]
