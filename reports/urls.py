from django.urls import path

from reports import views_reports as views

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("generate/", views.report_generate, name="generate"),
    path("jobs/<int:job_id>/", views.report_job, name="job"),
    path("<int:archive_id>/download/", views.report_download, name="download"),
]
