from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import services
from core.audit import AuditAction, AuditResult, log_action
from core.calendar import arrangement_missing_for_next_year
from core.dates import today
from core.forms import (
    AdminChangeDecisionForm,
    CalendarYearForm,
    LoginForm,
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
    add_service_errors,
    calendar_year,
)
from core.middleware import LOGIN_NEXT, LOGIN_PENDING, mark_session_started
from core.models import AdminChangeRequest, CalendarYear, Holiday, User
from core.pagination import paginate
from core.permissions import capability_required
from core.roles import has_capability, role_names
from core.selectors import (
    admin_change_lines,
    admin_changes_pending,
    admin_changes_recent,
    can_confirm,
    can_see_admin_changes,
    confirmer_label,
    is_admin_account,
    locked_usernames,
    otp_enabled,
    otp_required,
    users_list,
)


class QingqianLoginView(LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        response = super().form_valid(form)
        mark_session_started(self.request)
        # The password was right; a user with an authenticator still owes its code, and one
        # whose role requires an authenticator must bind one first (LoginStepsMiddleware keeps
        # him there). The login is complete, registered and audited only after that.
        step = "otp" if otp_enabled(user) else ("enrol" if otp_required(user) else None)
        if step:
            self.request.session[LOGIN_PENDING] = step
            self.request.session[LOGIN_NEXT] = self.get_success_url()
            return redirect("login_verify" if step == "otp" else "otp_setup")
        services.user_login_complete(user=user, request=self.request)
        return response

    def form_invalid(self, form):
        username = (form.data.get("username") or "")[:150]
        # django-axes marks the request when this attempt hit (or is inside) a lockout.
        locked = getattr(self.request, "axes_locked_out", False)
        log_action(
            actor=None,
            username=username,
            action=AuditAction.LOCKED_OUT if locked else AuditAction.LOGIN_FAILED,
            result=AuditResult.DENIED if locked else AuditResult.FAILURE,
            request=self.request,
        )
        return super().form_invalid(form)


@login_not_required
@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        log_action(actor=request.user, action=AuditAction.LOGOUT, request=request)
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("login")


def home(request):
    # Each role lands where its daily work is: casework roles on their worklist.
    user = request.user
    # Leaders steer from their dashboard: the task force the county's, a group leader his
    # group's (one who leads none has no dashboard to land on).
    if has_capability(user, "view_dashboard") and (
        has_capability(user, "view_all_regions") or user.led_task_groups.exists()
    ):
        return redirect("dashboard:home")
    # Supervisors' work is the monthly and ten-day reports.
    if has_capability(user, "view_reports") and not has_capability(user, "view_dashboard"):
        return redirect("reports:index")
    if has_capability(user, "issue_documents") or has_capability(user, "approve_actions"):
        return redirect("enforcement:today")
    if has_capability(user, "view_enterprises"):
        return redirect("enterprises:list")
    if has_capability(user, "view_audit_log"):
        return redirect("audit_log")
    if has_capability(user, "manage_users") or has_capability(user, "confirm_admin_changes"):
        return redirect("users")
    return render(request, "core/no_role.html")


def users(request):
    # The security administrator sees the accounts and confirms the changes to administrators'
    # accounts; only the system administrator changes accounts.
    if not can_see_admin_changes(request.user):
        raise PermissionDenied
    # The administrator lands here (see `home`), so this is where next year's calendar is asked for.
    missing_year = (
        arrangement_missing_for_next_year(today())
        if has_capability(request.user, "manage_settings")
        else None
    )
    text = request.GET.get("q", "").strip()
    page = paginate(request, users_list(text=text))
    pending = list(admin_changes_pending())
    for change in pending:
        change.lines = admin_change_lines(change)
        change.can_decide = can_confirm(request.user, change)
        change.mine = change.requested_by_id == request.user.pk
    recent = list(admin_changes_recent())
    for change in recent:
        change.lines = admin_change_lines(change)
    return render(
        request,
        "core/users.html",
        {
            "page": page,
            "locked": locked_usernames(u.username for u in page),
            "q": text,
            "calendar_missing_year": missing_year,
            "pending": pending,
            "recent": recent,
            "confirmer": confirmer_label(),
            "otp_required_roles": settings.OTP_REQUIRED_ROLES,
        },
    )


def _requested(request, change) -> None:
    messages.info(
        request,
        f"已提交「{change}」申请。管理员和审计员账号的变更须经{confirmer_label()}确认后生效。",
    )


@capability_required("manage_users")
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.user_create(
                actor=request.user,
                request=request,
                **{k: form.cleaned_data[k] for k in ("username", "full_name", "phone", "roles")},
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if isinstance(result, AdminChangeRequest):
                _requested(request, result)
            else:
                messages.success(request, f"已创建用户 {result.username}，首次登录时须修改密码。")
            return redirect("users")
    return render(
        request, "core/form_page.html", {"form": form, "title": "新建用户", "back_url": "users"}
    )


@capability_required("manage_users")
def user_edit(request, user_id):
    user = get_object_or_404(User, pk=user_id)
    initial = {
        "full_name": user.full_name,
        "phone": user.phone,
        "is_active": user.is_active,
        "roles": role_names(user),
    }
    form = UserEditForm(request.POST or None, initial=initial, is_self=user == request.user)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.user_update(
                actor=request.user, user=user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if isinstance(result, AdminChangeRequest):
                _requested(request, result)
            else:
                messages.success(request, f"已保存用户 {user.username}。")
            return redirect("users")
    return render(
        request,
        "core/user_edit.html",
        {"form": form, "subject": user, "admin_account": is_admin_account(role_names(user))},
    )


@capability_required("manage_users")
def user_password(request, user_id):
    user = get_object_or_404(User, pk=user_id)
    form = PasswordResetForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        result = services.user_set_password(
            actor=request.user, user=user, request=request, password=form.cleaned_data["password1"]
        )
        if isinstance(result, AdminChangeRequest):
            _requested(request, result)
        else:
            messages.success(request, f"已重置 {user.username} 的密码，该用户下次登录时须修改。")
        return redirect("users")
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": f"重置密码：{user.username}", "back_url": "users"},
    )


def _account_action(request, user_id, service, done: str):
    """Unlock or reset the second factor: done at once, or a request for the confirmer when
    the account is an administrator's (core.services)."""
    user = get_object_or_404(User, pk=user_id)
    try:
        result = service(actor=request.user, user=user, request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        if isinstance(result, AdminChangeRequest):
            _requested(request, result)
        else:
            messages.success(request, done.format(username=user.username))
    return redirect("users")


@capability_required("manage_users")
@require_POST
def user_unlock(request, user_id):
    return _account_action(request, user_id, services.user_unlock, "已解除 {username} 的登录锁定。")


@capability_required("manage_users")
@require_POST
def user_otp_reset(request, user_id):
    return _account_action(
        request,
        user_id,
        services.user_otp_reset,
        "已重置 {username} 的双因素认证，该用户下次登录时须重新绑定。",
    )


@require_POST
def admin_change_decide(request, change_id):
    """Confirm or reject (with a reason) a change to an administrator's account; the requester
    may withdraw his own."""
    if not can_see_admin_changes(request.user):
        raise PermissionDenied
    change = get_object_or_404(AdminChangeRequest, pk=change_id)
    form = AdminChangeDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择确认、驳回或撤回。")
        return redirect("users")
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    try:
        if decision == "withdraw":
            services.admin_change_withdraw(actor=request.user, change=change, request=request)
        else:
            services.admin_change_decide(
                actor=request.user,
                change=change,
                confirm=decision == "confirm",
                reason=reason,
                request=request,
            )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        done = {"confirm": "已确认并执行", "reject": "已驳回", "withdraw": "已撤回"}[decision]
        messages.success(request, f"{done}：{change}。")
    return redirect("users")


@capability_required("manage_settings")
def calendar(request):
    year = calendar_year(
        request.GET.get("year") or request.POST.get("year"),
        default=timezone.localdate().year + 1,
    )
    rows = list(Holiday.objects.filter(date__year=year))
    holidays_text = "\n".join(f"{h.date} {h.name}" for h in rows if not h.is_workday)
    workdays_text = "\n".join(str(h.date) for h in rows if h.is_workday)
    form = CalendarYearForm(
        request.POST or None,
        year=year,
        initial={"holidays": holidays_text, "workdays": workdays_text},
    )
    if request.method == "POST" and form.is_valid():
        count = services.calendar_year_save(
            actor=request.user,
            year=year,
            request=request,
            holidays=form.cleaned_data["holidays"],
            workdays=form.cleaned_data["workdays"],
        )
        messages.success(request, f"已保存 {year} 年的节假日（{count} 天）。")
        return redirect(f"{request.path}?year={year}")
    return render(
        request,
        "core/calendar.html",
        {
            "form": form,
            "year": year,
            "years": CalendarYear.objects.all(),
            "has_data": CalendarYear.objects.filter(year=year).first(),
            "holidays": [h for h in rows if not h.is_workday],
            "workdays": [h for h in rows if h.is_workday],
        },
    )
