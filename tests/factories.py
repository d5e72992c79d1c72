import calendar
from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from core.models import User
from enterprises.codes import id_check_char, uscc_check_char
from enterprises.models import BankAccount, Enterprise, Region, TaskGroup

PASSWORD = "Correct-horse-9"


def make_uscc(n: int) -> str:
    first17 = f"91140527{n:09d}"
    return first17 + uscc_check_char(first17)


def make_id_number(n: int) -> str:
    first17 = f"44030819800101{n % 1000:03d}"
    return first17 + id_check_char(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()


class TaskGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskGroup

    name = factory.Sequence(lambda n: f"工作组{n}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"测试{n}镇")
    code = factory.Sequence(lambda n: f"140527{n:03d}")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.Sequence(make_uscc)
    name = factory.Sequence(lambda n: f"测试第{n}机械有限公司")
    region = factory.SubFactory(RegionFactory)
    legal_representative = "张三"
    legal_rep_id_number = factory.Sequence(make_id_number)


class BankAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankAccount

    enterprise = factory.SubFactory(EnterpriseFactory)
    bank_name = "中国工商银行壶关支行"
    account_number = factory.Sequence(lambda n: f"6222021234{n:09d}")
    is_basic = True


class LedgerItemFactory(factory.django.DjangoModelFactory):
    """A pension item; due on the last day of the month after the period (the default rule)."""

    class Meta:
        model = "arrears.LedgerItem"

    enterprise = factory.SubFactory(EnterpriseFactory)
    period = factory.Sequence(lambda n: date(2023 + n // 12, n % 12 + 1, 1))
    unit_amount = Decimal("700.00")
    individual_amount = Decimal("300.00")
    due_date = factory.LazyAttribute(lambda o: _default_due(o.period))


def _default_due(period):
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])
