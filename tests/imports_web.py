"""Driving the import pipeline as a user does: upload, see the check, confirm, see the result.
Tasks run eagerly in tests, once the request's transaction commits."""

from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import Job


def upload(client, capture, kind, path, *, name=None):
    """Upload a file; returns (response, job) — the job is None when the form refused it."""
    with capture(execute=True):
        response = client.post(
            f"/imports/{kind}/",
            {"file": SimpleUploadedFile(name or path.name, path.read_bytes())},
        )
    job = Job.objects.filter(kind=f"import:{kind}").order_by("-pk").first()
    return response, (job if response.status_code == 302 else None)


def confirm(client, capture, job):
    with capture(execute=True):
        response = client.post(f"/imports/job/{job.pk}/confirm/")
    job.refresh_from_db()
    return response


def page(client, job) -> str:
    return client.get(f"/imports/job/{job.pk}/").content.decode()
