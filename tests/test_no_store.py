"""Pages and files for a signed-in user are never stored by a browser or proxy cache (issue 13
§3: an office PC is shared, and the back button must not show another user's enterprises)."""

from django.contrib.staticfiles import finders


def _no_store(response):
    cache_control = response.get("Cache-Control", "")
    return "no-store" in cache_control and "private" in cache_control


def test_pages_and_downloads_of_a_signed_in_user_are_not_stored(client, county):
    client.force_login(county.caseworker)
    for path in (
        "/cases/today/",
        f"/enterprises/{county.enterprise.pk}/",
        "/arrears/export/",
        f"/enterprises/{county.other_enterprise.pk}/",  # a 404 too
    ):
        response = client.get(path)
        assert _no_store(response), (path, response.get("Cache-Control"))
        assert response["X-Content-Type-Options"] == "nosniff"


def test_static_files_keep_their_caching(client, db):
    assert not _no_store(client.get("/static/css/app.css"))
    assert finders.find("css/app.css")
