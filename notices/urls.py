from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("export/", views.document_export, name="export"),
    path("office/", views.office, name="office"),
    path("office/seal/<str:body>/", views.seal_image, name="seal_image"),
    path("batch/", views.batch, name="batch"),
    path("batch/<int:job_id>/", views.batch_job, name="batch_job"),
    path("batch/<int:job_id>/pdf/", views.batch_pdf, name="batch_pdf"),
    path("batch/<int:job_id>/merge/", views.batch_merge, name="batch_merge"),
    path("enterprise/<int:enterprise_id>/", views.enterprise_documents, name="enterprise"),
    path("enterprise/<int:enterprise_id>/issue/", views.document_issue, name="issue"),
    path("<int:document_id>/", views.document_detail, name="detail"),
    path("<int:document_id>/pdf/", views.document_pdf, name="pdf"),
    path("<int:document_id>/receipt/", views.document_receipt, name="receipt"),
    path("<int:document_id>/void/", views.document_void, name="void"),
    path("<int:document_id>/service/", views.service_create, name="service"),
    path("proof/<int:service_id>/", views.service_proof, name="proof"),
]
