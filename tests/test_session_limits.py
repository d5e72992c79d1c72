from datetime import timedelta

import time_machine

from core.models import AuditEntry
from tests.conftest import NOW
from tests.factories import PASSWORD


def _logged_in(client):
    response = client.post("/login/", {"username": "jingban", "password": PASSWORD})
    assert response.status_code == 302


def test_thirty_idle_minutes_end_the_session(client, county):
    with time_machine.travel(NOW, tick=False) as clock:
        _logged_in(client)
        clock.shift(timedelta(minutes=29))
        assert client.get("/enterprises/").status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get("/enterprises/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/enterprises/")
    page = client.get(response["Location"]).content.decode()
    assert "超过 30 分钟未操作" in page
    assert AuditEntry.objects.filter(action="session_expired").exists()


def test_activity_keeps_the_session_alive_up_to_twelve_hours(client, county):
    with time_machine.travel(NOW, tick=False) as clock:
        _logged_in(client)
        for _ in range(23):  # a click every 25 minutes for 9 h 35 min
            clock.shift(timedelta(minutes=25))
            assert client.get("/enterprises/").status_code == 200
        for _ in range(6):  # … and on to 12 h 5 min
            clock.shift(timedelta(minutes=25))
            response = client.get("/enterprises/")
    assert response.status_code == 302
    assert "已满 12 小时" in client.get(response["Location"]).content.decode()


def test_htmx_request_after_timeout_navigates_the_whole_page(client, county):
    with time_machine.travel(NOW, tick=False) as clock:
        _logged_in(client)
        clock.shift(timedelta(minutes=45))
        response = client.post(
            f"/enterprises/{county.enterprise.pk}/unmask/", headers={"HX-Request": "true"}
        )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/login/")
    assert not AuditEntry.objects.filter(action="unmask").exists()
