from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from core.models import User
from enterprises.codes import id_check_char, uscc_check_char
from enterprises.models import BankAccount, Enterprise, Region, TaskGroup

PASSWORD = "Correct-horse-9"
# The key of the factories' authenticators: RFC 6238's test key ("12345678901234567890").
TOTP_KEY = "3132333435363738393031323334353637383930"


def totp_code() -> str:
    """What the factories' authenticator shows now (the test's clock); no database needed, so
    the browser tests may call it while Playwright runs."""
    from core.otp import current_code

    return current_code(TOTP_KEY)


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

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """A confirmed authenticator with the key TOTP_KEY for a user whose role requires one
        (settings.OTP_REQUIRED_ROLES), as such a user has after his first login: a login
        through the form then asks for `totp_code()`. totp=True or totp=False decides it."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from core.selectors import otp_required

        if create and (extracted if extracted is not None else otp_required(self)):
            TOTPDevice.objects.create(user=self, name="测试", key=TOTP_KEY, confirmed=True)


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
    """A pension item, due as the policy and the calendar say (by default the last day of the
    month after the period, moved off a rest day)."""

    class Meta:
        model = "arrears.LedgerItem"

    enterprise = factory.SubFactory(EnterpriseFactory)
    period = factory.Sequence(lambda n: date(2023 + n // 12, n % 12 + 1, 1))
    unit_amount = Decimal("700.00")
    individual_amount = Decimal("300.00")
    due_date = factory.LazyAttribute(lambda o: _policy_due(o.period))


def _policy_due(period):
    from arrears.policy import current_policy, due_date_for

    return due_date_for(period, current_policy())


def approved_adjustment(*, requester, approver, item, unit_amount, individual_amount, reason):
    """An adjustment that lowers an item, requested with its legal basis and approved by
    another leader, as the rules demand (社会保险法 第六十条)."""
    from arrears.services import adjustment_decide, adjustment_request

    adjustment = adjustment_request(
        actor=requester,
        item=item,
        unit_amount=unit_amount,
        individual_amount=individual_amount,
        reason=reason,
        legal_basis="社会保险稽核办法第十条",
        document="壶社保稽〔2026〕1号",
    )
    if adjustment.status == "pending":
        adjustment_decide(actor=approver, adjustment=adjustment, approve=True, comment="同意")
    return adjustment


def item_of(enterprise, period, amount="1000.00", insurance_type="pension"):
    """An item whose principal is one round figure (all unit part), for fees worked by hand."""
    return LedgerItemFactory(
        enterprise=enterprise,
        period=period,
        insurance_type=insurance_type,
        unit_amount=Decimal(amount),
        individual_amount=Decimal("0"),
    )
