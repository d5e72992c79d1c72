"""Every form answers an absurd value — NaN, Infinity, 1e30, more decimals or digits than the
column holds, a date in year 1 or 99999 — with a form error (a 200 page showing it, or the case
page's error message after its redirect), never a 500, and writes nothing.

Each test posts through the test client as a user allowed to use the form, with values drawn by
hypothesis: the nasty literals, any decimal and any text that the rule (decided here, not by the
code under test) says is not a valid value for the field.
"""

import unicodedata
from datetime import date, timedelta
from decimal import Decimal as D
from decimal import InvalidOperation

import pytest
from django.contrib.messages import get_messages
from django.db.models import Count, Max
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from arrears.models import LateFeeRate, LedgerItem, Payment, Suspension
from core.models import CalendarYear, Holiday
from enforcement.models import Approval, AuditRecord, Case, Fine, FinePayment
from enforcement.stages import Stage
from enterprises.models import Enterprise
from notices.models import Document, ServiceRecord
from notices.services import document_issue

hardening = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# One amount typed into a form: 100 times below what a numeric(14, 2) column holds, so that sums
# of amounts (a credit balance, a fine of 3 × the principal) still fit; below 100亿元.
MONEY_MAX = D("9999999999.99")
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)  # no business date outside

NASTY_NUMBERS = [
    "NaN",
    "nan",
    "-NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e30",
    "-1e30",
    "1E+30",
    "1e999999999",
    "1e-30",
    "0.001",
    "12.345",
    "2.55555555555555555555",
    "-5",
    "-0.01",
    "0",
    "0.5",
    "3.5",
    "1.05",
    "10000000000",
    "999999999999.99",
    "1000000000000",
    "1000000000000.00",
    "99999999999999.99",
    "100000000000000000000000000000000.00",
    "1,000,000,000,000",
    "１e30",
    "abc",
    "一百元",
    "12.34.56",
    "--1",
    "0x10",
    "",
]
NASTY_DATES = [
    "0001-01-01",
    "0000-00-00",
    "1000-01-01",
    "1899-12-31",
    "1989-12-31",
    "2101-01-01",
    "9999-12-31",
    "99999-01-01",
    "-2026-01-01",
    "2026-02-30",
    "2026-13-01",
    "NaN",
    "1e30",
]
# Lone surrogates (Cs) cannot be encoded as UTF-8: no browser can send them, nor can the test client.
_TYPABLE = st.characters(exclude_categories=("Cs",))
_NO_DIGITS = st.text(alphabet=st.characters(exclude_categories=("Nd", "Cs")), max_size=20)


def _number(text) -> D | None:
    """The number a person typed (full-width digits, thousands separators, 元), or None."""
    text = "".join(unicodedata.normalize("NFKC", str(text)).split()).replace(",", "")
    try:
        return D(text.removesuffix("元"))
    except (InvalidOperation, ValueError):
        return None


def _within(text, low: D, high: D, places: int) -> bool:
    number = _number(text)
    return (
        number is not None
        and number.is_finite()
        and low <= number <= high
        and number == number.quantize(D(1).scaleb(-places))
    )


def _numbers(low: D, high: D, places: int):
    """Text that is not a number from low to high with at most `places` decimals."""
    return st.one_of(
        st.sampled_from(NASTY_NUMBERS),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.text(alphabet=_TYPABLE, max_size=20),
    ).filter(lambda text: not _within(text, low, high, places))


def money(minimum=D("0.01")):
    return _numbers(minimum, MONEY_MAX, 2)


fine_multiples = _numbers(D("1"), D("3"), 1)

dates = st.one_of(
    st.sampled_from(NASTY_DATES),
    st.dates(max_value=EARLIEST - timedelta(days=1)).map(date.isoformat),
    st.dates(min_value=LATEST + timedelta(days=1)).map(date.isoformat),
    _NO_DIGITS.filter(str.strip),
)


def entries(**strategies):
    """(field, value) pairs, each field with its own strategy of absurd values."""
    return st.one_of(*(st.tuples(st.just(name), values) for name, values in strategies.items()))


# The issue's own values run every time, whatever hypothesis draws besides.
MONEY_EXAMPLES = ["NaN", "1e30", "1000000000000", "999999999999.99"]
DATE_EXAMPLES = ["0001-01-01", "9999-12-31", "1000-01-01"]


def examples(argument: str, *values):
    def decorate(test):
        for value in values:
            test = example(**{argument: value})(test)
        return test

    return decorate


def _money_examples(*fields):
    return [(field, value) for field in fields for value in MONEY_EXAMPLES]


def _date_examples(*fields):
    return [(field, value) for field in fields for value in DATE_EXAMPLES]


def _lines_text(strategy):
    """A value for a one-value-per-line text box: at least one line that is not blank."""
    return strategy.filter(lambda text: any(line.strip() for line in text.splitlines()))


def _snapshot():
    """Everything these forms could write: for each table its row count and highest id (a row
    deleted and written again shows), and the values the forms would update in place."""
    tables = tuple(
        tuple(model.objects.aggregate(rows=Count("pk"), last=Max("pk")).values())
        for model in (
            Payment,
            Suspension,
            Fine,
            FinePayment,
            Approval,
            AuditRecord,
            ServiceRecord,
            Document,
            Holiday,
            CalendarYear,
            LateFeeRate,
        )
    )
    return (
        tables,
        list(LedgerItem.objects.order_by("pk").values_list("unit_amount", "individual_amount")),
        list(
            Enterprise.objects.order_by("pk").values_list(
                "bankruptcy_accepted_on", "bankruptcy_declared_on"
            )
        ),
        list(LateFeeRate.objects.order_by("pk").values_list("effective_from", "daily_rate")),
    )


def _form_error(response, form="form"):
    assert response.status_code == 200, response.status_code
    assert response.context[form].errors, "the page was shown without a form error"


def _error_message(response, case):
    """The case page's forms answer with a redirect back to the case page and an error message
    (not followed here: the case page is the slow part, and says nothing more)."""
    assert response.status_code == 302, response.status_code
    assert response["Location"] == f"/cases/{case.pk}/"
    errors = [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert errors, "redirected without an error message"


def case_at(county, stage, doc_type="reminder"):
    from enforcement.services import case_open

    case = case_open(actor=county.caseworker, enterprise=county.enterprise)
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type=doc_type,
        enterprise=county.enterprise,
        render=False,
    )
    Document.objects.filter(pk=document.pk).update(
        served_on=date(2026, 10, 1), deadline=date(2026, 10, 15)
    )
    Case.objects.filter(pk=case.pk).update(stage=stage, current_document=document)
    case.refresh_from_db()
    return case


# -- arrears ---------------------------------------------------------------------------------

PAYMENT = {"amount": "100.00", "paid_on": "2026-11-01", "method": "self", "note": ""}


@hardening
@given(entry=st.tuples(entries(amount=money(), paid_on=dates), st.booleans()))
@examples(
    "entry", *((entry, True) for entry in _money_examples("amount") + _date_examples("paid_on"))
)
def test_payment_form(county, login, entry):
    (field, value), confirm = entry
    client = login(county.caseworker)
    before = _snapshot()
    response = client.post(
        f"/arrears/enterprise/{county.enterprise.pk}/payments/new/",
        {**PAYMENT, field: value, "external_ref": "HARDEN-1", "confirm": "1" if confirm else ""},
    )
    _form_error(response)
    assert field in response.context["form"].errors
    assert _snapshot() == before


CALCULATOR = {
    "principal": "1000",
    "due_date": "2025-01-31",
    "as_of": "2026-11-22",
    "payments": "",
    "suspensions": "",
}


@hardening
@given(
    entry=entries(
        principal=money(),
        payment_amount=money(),
        due_date=dates,
        as_of=dates,
        payment_day=dates,
        start=dates,
        end=dates,
    )
)
@examples("entry", *_money_examples("payment_amount"), *_date_examples("as_of", "end"))
def test_fee_calculator(county, login, entry):
    where, value = entry
    client = login(county.caseworker)
    field, query = {
        "principal": ("principal", {"principal": value}),
        "due_date": ("due_date", {"due_date": value}),
        # Both ends absurd: a fee window from year 1 to year 1 once overflowed the engine.
        "as_of": ("as_of", {"as_of": value, "due_date": value}),
        "payment_day": ("payments", {"payments": f"{value}:400"}),
        "payment_amount": ("payments", {"payments": f"2025-03-11:{value}"}),
        "start": ("suspensions", {"suspensions": f"{value}:2025-06-30"}),
        "end": ("suspensions", {"suspensions": f"2025-04-01:{value}"}),
    }[where]
    response = client.get("/arrears/calculator/", {**CALCULATOR, **query})
    _form_error(response)
    assert field in response.context["form"].errors


@hardening
@given(
    entry=entries(
        unit_amount=money(minimum=D("0")),
        individual_amount=money(minimum=D("0")),
        # Each part is an allowed amount, their sum (the item's principal) is not.
        sum=st.sampled_from(["0.01", "1", str(MONEY_MAX)]),
    )
)
@examples("entry", *_money_examples("unit_amount"), ("sum", "1"))
def test_ledger_item_adjustment(county, login, entry):
    field, value = entry
    client = login(county.caseworker)
    form = {"unit_amount": "1000.00", "individual_amount": "0.00", "reason": "核对工资表"}
    if field == "sum":
        form.update(unit_amount=str(MONEY_MAX), individual_amount=value)
    else:
        form[field] = value
    before = _snapshot()
    _form_error(client.post(f"/arrears/items/{county.item.pk}/adjust/", form))
    assert _snapshot() == before


@hardening
@given(entry=entries(start=dates, end=dates))
@examples("entry", *_date_examples("start", "end"))
def test_suspension_request(county, login, entry):
    field, value = entry
    client = login(county.caseworker)
    form = {
        "kind": "deferral",
        "start": "2025-07-01",
        "end": "2025-09-30",
        "period_to": "2025-02",
        "reason": "经批准缓缴",
        "document": "壶人社〔2025〕2号",
        field: value,
    }
    before = _snapshot()
    _form_error(client.post(f"/arrears/enterprise/{county.enterprise.pk}/suspensions/new/", form))
    assert _snapshot() == before


@pytest.fixture
def policy_form(county):
    """The policy page's fields as they stand (the policy and its rates exist before we count)."""
    from arrears.forms import PolicyForm
    from arrears.policy import current_policy

    fields = model_to_dict(current_policy(), fields=PolicyForm.Meta.fields)
    return {k: v for k, v in fields.items() if v is not None and v is not False}


@hardening
@given(entry=entries(rate=_numbers(D("0"), D("0.009999"), 6), day=dates))
@examples(
    "entry",
    *(("rate", v) for v in ["NaN", "Infinity", "1e30", "0.0000001", "-0.0001", "0.01"]),
    *_date_examples("day"),
)
def test_late_fee_policy_rates(county, login, policy_form, entry):
    where, value = entry
    client = login(county.sysadmin)
    rates = {"rate": f"2011-07-01:{value}", "day": f"2011-07-01:0.0005\n{value}:0.0003"}[where]
    before = _snapshot()
    response = client.post("/arrears/policy/", {**policy_form, "rates": rates})
    _form_error(response)
    assert "rates" in response.context["form"].errors
    assert _snapshot() == before


# -- enforcement: the case page's forms --------------------------------------------------------


@pytest.fixture
def penalty_case(county):
    return case_at(county, Stage.PENALTY)


@hardening
@given(multiple=fine_multiples)
@examples("multiple", *MONEY_EXAMPLES, "1.05")
def test_fine_decision(county, login, penalty_case, multiple):
    client = login(county.caseworker)
    before = _snapshot()
    response = client.post(f"/cases/{penalty_case.pk}/fine/", {"multiple": multiple})
    _error_message(response, penalty_case)
    assert _snapshot() == before


@pytest.fixture
def fine(county, penalty_case):
    case = penalty_case
    decision = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="penalty_decision",
        enterprise=county.enterprise,
        extra={"fine_multiple": "1"},
        render=False,
    )
    return Fine.objects.create(
        case=case,
        principal_base=D("1700.00"),
        multiple=D("1"),
        amount=D("1700.00"),
        decision=decision,
        decided_by=county.caseworker,
    )


@hardening
@given(entry=entries(amount=money(), paid_on=dates))
@examples("entry", *_money_examples("amount"), *_date_examples("paid_on"))
def test_fine_payment(county, login, fine, entry):
    field, value = entry
    client = login(county.caseworker)
    form = {"fine": fine.pk, "amount": "100.00", "paid_on": "2026-11-20", "external_ref": "FK-1"}
    before = _snapshot()
    response = client.post(f"/cases/{fine.case_id}/fine/", {**form, field: value})
    _error_message(response, fine.case)
    assert _snapshot() == before


@pytest.fixture
def bank_case(county):
    case = case_at(county, Stage.BANK)
    for doc_type in ("transfer_decision", "transfer_notice"):
        document_issue(
            from_case=True,
            actor=county.caseworker,
            doc_type=doc_type,
            enterprise=county.enterprise,
            extra={"decided_amount": "100000.00"},
            render=False,
        )
    return case


@hardening
@given(entry=entries(amount=money(), paid_on=dates))
@examples("entry", *_money_examples("amount"), *_date_examples("paid_on"))
def test_bank_transfer(county, login, bank_case, entry):
    field, value = entry
    client = login(county.caseworker)
    form = {"amount": "100.00", "paid_on": "2026-11-20", "external_ref": "HB-1"}
    before = _snapshot()
    response = client.post(f"/cases/{bank_case.pk}/bank/", {**form, field: value})
    _error_message(response, bank_case)
    assert _snapshot() == before


@pytest.fixture
def rectification_case(county):
    return case_at(county, Stage.RECTIFICATION)


@pytest.fixture
def audit_case(county):
    return case_at(county, Stage.AUDIT, doc_type="audit_notice")


DEFERRAL = {
    "to_stage": "deferral",
    "reason": "账户余额不足，申请分期",
    "months": "3",
    "guarantee_kind": "mortgage",
    "guarantee_value": "8000.00",
    "guarantee_document": "抵押合同 壶抵〔2026〕17号",
}


@hardening
@given(entry=entries(guarantee_value=money(), months=_numbers(D("1"), D("6"), 0)))
@examples("entry", *_money_examples("guarantee_value"))
def test_deferral_terms(county, login, rectification_case, entry):
    field, value = entry
    case = rectification_case
    client = login(county.caseworker)
    before = _snapshot()
    response = client.post(f"/cases/{case.pk}/move/", {**DEFERRAL, field: value})
    _error_message(response, case)
    assert _snapshot() == before


@hardening
@given(value=dates)
@examples("value", *DATE_EXAMPLES)
def test_audit_record_date(county, login, audit_case, value):
    case = audit_case
    client = login(county.caseworker)
    form = {
        "audited_on": value,
        "auditor_1": county.caseworker.pk,
        "auditor_2": county.group_leader.pk,
        "credentials": "稽核证 001、002",
        "findings": "工资表与申报一致",
        "period_from": "2026-05",
        "period_to": "2026-08",
        "headcount_found": "20",
        "headcount_declared": "20",
        "base_found": "80000",
        "base_declared": "80000",
        "shortfall": "0",
        "signature": "signed",
    }
    before = _snapshot()
    _error_message(client.post(f"/cases/{case.pk}/audit/", form), case)
    assert _snapshot() == before


# -- notices and enterprises -------------------------------------------------------------------


@hardening
@given(value=dates)
@examples("value", *DATE_EXAMPLES)
def test_service_date(county, login, value):
    client = login(county.caseworker)
    form = {"method": "direct", "served_on": value, "recipient": "王会计"}
    before = _snapshot()
    _form_error(client.post(f"/notices/{county.document.pk}/service/", form), form="service_form")
    assert _snapshot() == before


@hardening
@given(entry=st.tuples(fine_multiples.filter(str.strip), st.booleans()))
@examples("entry", *((value, True) for value in MONEY_EXAMPLES))
def test_penalty_document_multiple(county, login, entry):
    multiple, confirm = entry
    client = login(county.caseworker)
    form = {"doc_type": "penalty_decision", "fine_multiple": multiple}
    before = _snapshot()
    _form_error(
        client.post(
            f"/notices/enterprise/{county.enterprise.pk}/issue/",
            {**form, "confirm": "1" if confirm else ""},
        )
    )
    assert _snapshot() == before


@hardening
@given(entry=entries(bankruptcy_accepted_on=dates, bankruptcy_declared_on=dates))
@examples("entry", *_date_examples("bankruptcy_accepted_on"))
def test_enterprise_bankruptcy_dates(county, login, entry):
    field, value = entry
    from enterprises.forms import EnterpriseForm

    client = login(county.caseworker)
    fields = model_to_dict(county.enterprise, fields=EnterpriseForm.Meta.fields)
    form = {name: "" if v is None else v for name, v in fields.items()}
    before = _snapshot()
    response = client.post(
        f"/enterprises/{county.enterprise.pk}/edit/", {**form, "status": "bankrupt", field: value}
    )
    _form_error(response)
    assert field in response.context["form"].errors
    assert _snapshot() == before


# -- the administrator's calendar and the audit log ----------------------------------------------

years = st.one_of(
    st.integers().filter(lambda year: not 2004 <= year <= 2100).map(str),
    st.sampled_from(["99999", "10000", "9999", "0", "-1", "1e3", "NaN", "2027.5"]),
)


@hardening
@given(year=years)
@examples("year", "99999", "0", "9999")
def test_calendar_year(county, login, year):
    client = login(county.sysadmin)
    assert client.get("/calendar/", {"year": year}).status_code == 200
    before = _snapshot()
    response = client.post(
        "/calendar/", {"year": year, "holidays": f"{year}-12-31 元旦", "workdays": ""}
    )
    _form_error(response)
    response = client.post("/calendar/", {"year": year, "holidays": "", "workdays": ""})
    _form_error(response)  # an empty year must not wipe another year's holidays
    assert _snapshot() == before


@hardening
@given(entry=entries(start=_lines_text(dates), end=_lines_text(dates), workday=_lines_text(dates)))
@examples("entry", *_date_examples("end"))
def test_calendar_dates(county, login, entry):
    field, value = entry
    client = login(county.sysadmin)
    form = {
        "start": {"holidays": f"{value}~2027-02-13 春节"},
        "end": {"holidays": f"2027-02-06~{value} 春节"},
        "workday": {"workdays": value},
    }[field]
    before = _snapshot()
    _form_error(client.post("/calendar/", {"year": "2027", "holidays": "", "workdays": "", **form}))
    assert _snapshot() == before


@hardening
@given(entry=entries(date_from=dates, date_to=dates))
@examples("entry", *_date_examples("date_from", "date_to"))
def test_audit_log_filters(county, login, entry):
    field, value = entry
    client = login(county.auditor)
    _form_error(client.get("/audit/", {field: value}))
