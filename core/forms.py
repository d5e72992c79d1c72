from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator

from core.models import User
from core.roles import ROLES, roles_problem
from core.widgets import PlainSelect


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败 5 次后账号将被锁定 30 分钟。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: each message on its field when the form has one,
    the rest (and a refusal naming no field) above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class ListedChoiceIterator(ModelChoiceIterator):
    """A model select's options read with one plain query. Django's iterator reads them through
    `queryset.iterator()`, which on PostgreSQL outside a transaction is a server-side cursor:
    three round trips (DECLARE, FETCH, CLOSE) for a dozen townships, on every page of a list.
    The options of a filter are few; streaming them saves nothing."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class FilterForm(forms.Form):
    """A form rendered as one compact row of filters above a list."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                # A subclass that sets the queryset later gets this iterator's choices too.
                field.iterator = ListedChoiceIterator
                field.widget.choices = field.choices
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_select else ("form-control form-control-sm")
            )
            if type(field.widget) is forms.Select:  # drawn on every page of a list: see PlainSelect
                field.widget = PlainSelect(attrs=field.widget.attrs, choices=field.widget.choices)


def _role_choices():
    existing = set(Group.objects.values_list("name", flat=True))
    return [(name, name) for name in ROLES if name in existing]


class RolesField(forms.MultipleChoiceField):
    """Roles as checkboxes. An administrator's role excludes every other (三员分立); the
    service refuses it as well, this says it next to the boxes."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "角色")
        kwargs.setdefault(
            "help_text",
            "系统管理员、安全管理员、审计管理员三员分立，各自只能担任这一个角色，不能兼任业务角色。"
            "新建或修改这三类账号须经另一位管理员确认后生效。",
        )
        super().__init__(choices=(), **kwargs)

    def validate(self, value):
        super().validate(value)
        problem = roles_problem(value)
        if problem:
            raise forms.ValidationError(problem)


class _PasswordPairMixin:
    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "两次输入的密码不一致。")
        elif first:
            try:
                validate_password(first, self._user_for_validation())
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


_PASSWORD_HELP = (
    "至少 8 位，包含小写字母、大写字母、数字、符号中的至少 3 类；不能包含用户名或姓名"
    "（含拼音和拼音首字母）。"
)


def _history_help() -> str:
    return f"不能与最近 {settings.PASSWORD_HISTORY_COUNT} 次用过的密码相同。"


class UserCreateForm(_PasswordPairMixin, forms.Form):
    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ + -"},
    )
    full_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    roles = RolesField()
    password1 = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput,
        help_text=_PASSWORD_HELP + "用户首次登录时须修改。",
    )
    password2 = forms.CharField(label="再次输入密码", widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = _role_choices()

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("该用户名已存在。")
        return username

    def _user_for_validation(self):
        return User(
            username=self.cleaned_data.get("username", ""),
            full_name=self.cleaned_data.get("full_name", ""),
        )


class UserEditForm(forms.Form):
    full_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    roles = RolesField()
    is_active = forms.BooleanField(label="启用", required=False)

    def __init__(self, *args, is_self: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = _role_choices()
        if is_self:
            # Nobody changes his own roles (the service refuses it too): shown, not editable.
            self.fields["roles"].disabled = True
            self.fields["roles"].help_text = "不能修改自己的角色。"


class PasswordResetForm(_PasswordPairMixin, forms.Form):
    password1 = forms.CharField(
        label="新密码",
        widget=forms.PasswordInput,
        help_text=_PASSWORD_HELP + "用户下次登录时须修改。",
    )
    password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text += _history_help()

    def _user_for_validation(self):
        return self.user


class PasswordChangeForm(_PasswordPairMixin, forms.Form):
    """The user's own change: the old password proves it is him at the desk."""

    old_password = forms.CharField(
        label="原密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    password1 = forms.CharField(
        label="新密码",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_PASSWORD_HELP,
    )
    password2 = forms.CharField(
        label="再次输入新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text += _history_help()

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError("原密码不正确。")
        return old

    def _user_for_validation(self):
        return self.user


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "form-control-lg text-center code",
            }
        ),
    )


class AdminChangeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", "确认"), ("reject", "驳回"), ("withdraw", "撤回")]
    )
    reason = forms.CharField(label="理由", max_length=200, required=False)


# The years the holiday calendar can hold: seeded from 2004 (core.0008), entered up to 2100.
CALENDAR_YEARS = range(2004, 2101)


def calendar_year(text, *, default: int | None) -> int | None:
    """The year a calendar page asks for (?year=…), or `default` when it is not a year the
    calendar can hold: `?year=99999` must not reach a date lookup."""
    try:
        year = int(str(text or "").strip())
    except ValueError:
        return default
    return year if year in CALENDAR_YEARS else default


class CalendarYearForm(forms.Form):
    holidays = forms.CharField(
        label="放假日期",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一段：起始日期~截止日期 名称，或单日 日期 名称。例如：2027-02-06~2027-02-13 春节",
    )
    workdays = forms.CharField(
        label="调休上班日期",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个周末日期，例如：2027-02-14",
    )

    def __init__(self, *args, year: int, **kwargs):
        self.year = year
        super().__init__(*args, **kwargs)

    def _year_error(self) -> str:
        """Why this form's year cannot be saved, or "": the year given, and the one posted
        (a posted year=99999 that the page fell back from must not save another year)."""
        posted = self.data.get("year") if self.is_bound else None
        if self.year not in CALENDAR_YEARS or (
            posted is not None and calendar_year(posted, default=None) is None
        ):
            return f"年份须在 {CALENDAR_YEARS[0]} 至 {CALENDAR_YEARS[-1]} 之间。"
        return ""

    def _day(self, text: str, line: str):
        from datetime import date

        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            raise forms.ValidationError(f"「{line}」中的日期格式不对，应为 2027-02-06。") from None
        if day.year != self.year:
            raise forms.ValidationError(f"「{line}」不在 {self.year} 年。")
        return day

    def clean_holidays(self):
        from datetime import timedelta

        days = []
        if self._year_error():  # said once, by clean()
            return days
        for line in self.cleaned_data["holidays"].splitlines():
            line = line.strip().replace("～", "~").replace("至", "~")
            if not line:
                continue
            span, _, name = line.partition(" ")
            first, _, last = span.partition("~")
            start = self._day(first, line)
            end = self._day(last, line) if last else start
            if end < start:
                raise forms.ValidationError(f"「{line}」的截止日期早于起始日期。")
            while start <= end:
                days.append((start, name.strip() or "节假日"))
                start += timedelta(days=1)
        return days

    def clean_workdays(self):
        days = []
        if self._year_error():
            return days
        for line in self.cleaned_data["workdays"].splitlines():
            if line.strip():
                day = self._day(line.strip().split()[0], line.strip())
                if day.weekday() < 5:
                    raise forms.ValidationError(f"{day} 不是周末，不需要登记为调休上班。")
                days.append(day)
        return days

    def clean(self):
        cleaned = super().clean()
        if self._year_error():
            raise forms.ValidationError(self._year_error())
        overlap = {d for d, _ in cleaned.get("holidays", [])} & set(cleaned.get("workdays", []))
        if overlap:
            raise forms.ValidationError(f"{min(overlap)} 同时登记为放假和上班。")
        return cleaned


class UploadForm(forms.Form):
    """A spreadsheet for the import pipeline (core.imports)."""

    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
