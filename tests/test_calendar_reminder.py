"""From 1 November the administrator is asked to enter next year's arrangement (DESIGN §3.8)."""

import pytest

from core import roles
from core.models import CalendarYear, Holiday
from tests.factories import UserFactory

REMINDER = "请录入 2027 年的节假日及调休安排"


@pytest.fixture
def no_2027(db):
    CalendarYear.objects.filter(year=2027).delete()
    Holiday.objects.filter(date__year=2027).delete()


def _home(client, user):
    client.force_login(user)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_administrator_is_reminded_with_a_link_to_the_calendar(client, no_2027):
    page = _home(client, UserFactory(role=roles.SYSTEM_ADMIN))  # the suite's day: 2026-11-22
    assert REMINDER in page
    assert 'href="/calendar/?year=2027"' in page


def test_the_reminder_starts_on_1_november_shanghai_time(client, no_2027, frozen):
    admin = UserFactory(role=roles.SYSTEM_ADMIN)
    frozen.move_to("2026-10-31T15:59:00Z")  # 31 October 23:59 in Shanghai
    assert REMINDER not in _home(client, admin)
    frozen.move_to("2026-10-31T16:00:00Z")  # 1 November 00:00 in Shanghai
    assert REMINDER in _home(client, admin)


def test_the_reminder_goes_once_the_year_is_entered(client, no_2027):
    admin = UserFactory(role=roles.SYSTEM_ADMIN)
    CalendarYear.objects.create(year=2027, source="人工录入")
    assert REMINDER not in _home(client, admin)


def test_the_reminder_runs_to_the_end_of_the_year(client, no_2027, frozen):
    frozen.move_to("2026-12-31T12:00:00Z")  # 31 December 20:00 in Shanghai
    assert REMINDER in _home(client, UserFactory(role=roles.SYSTEM_ADMIN))
    # On 1 January the year has begun; the missing arrangement is then the calendar page's and
    # every deadline's warning, no longer a reminder about next year.
    frozen.move_to("2026-12-31T16:00:00Z")
    assert "年的节假日及调休安排" not in _home(client, UserFactory(role=roles.SYSTEM_ADMIN))


@pytest.mark.parametrize(
    "role",
    [
        roles.CASEWORKER,
        roles.GROUP_LEADER,
        roles.TASKFORCE_LEADER,
        roles.SUPERVISOR,
        roles.AUDIT_ADMIN,
    ],
)
def test_other_roles_are_not_reminded(client, no_2027, role):
    assert REMINDER not in _home(client, UserFactory(role=role))
