from django.urls import path

from core import views_imports as views

app_name = "imports"

urlpatterns = [
    path("", views.import_history, name="history"),
    path("job/<int:job_id>/", views.import_job, name="job"),
    path("job/<int:job_id>/confirm/", views.import_confirm, name="confirm"),
    path("job/<int:job_id>/problems.xlsx", views.import_errors, name="errors"),
    path("<slug:kind>/", views.import_upload, name="upload"),
    path("<slug:kind>/template/", views.import_template, name="template"),
]
