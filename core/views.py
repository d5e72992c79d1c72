from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import services
from core.audit import AuditAction, AuditResult, log_action
from core.calendar import arrangement_missing_for_next_year
from core.dates import today
from core.forms import (
    CalendarYearForm,
    LoginForm,
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
    calendar_year,
)
from core.middleware import mark_session_started
from core.models import CalendarYear, Holiday, User
from core.pagination import paginate
from core.permissions import capability_required
from core.roles import has_capability, role_names
from core.selectors import locked_usernames, users_list


class QingqianLoginView(LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        mark_session_started(self.request)
        log_action(actor=form.get_user(), action=AuditAction.LOGIN, request=self.request)
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
    if has_capability(user, "manage_users"):
        return redirect("users")
    return render(request, "core/no_role.html")


@capability_required("manage_users")
def users(request):
    # The administrator lands here (see `home`), so this is where next year's calendar is asked for.
    missing_year = (
        arrangement_missing_for_next_year(today())
        if has_capability(request.user, "manage_settings")
        else None
    )
    text = request.GET.get("q", "").strip()
    page = paginate(request, users_list(text=text))
    return render(
        request,
        "core/users.html",
        {
            "page": page,
            "locked": locked_usernames(u.username for u in page),
            "q": text,
            "calendar_missing_year": missing_year,
        },
    )


@capability_required("manage_users")
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_create(
            actor=request.user,
            request=request,
            **{k: form.cleaned_data[k] for k in ("username", "full_name", "phone", "role")},
            password=form.cleaned_data["password1"],
        )
        messages.success(request, f"已创建用户 {user.username}。")
        return redirect("users")
    return render(
        request, "core/form_page.html", {"form": form, "title": "新建用户", "back_url": "users"}
    )


@capability_required("manage_users")
def user_edit(request, user_id):
    user = get_object_or_404(User, pk=user_id)
    roles = role_names(user)
    initial = {
        "full_name": user.full_name,
        "phone": user.phone,
        "is_active": user.is_active,
        "role": roles[0] if roles else None,
    }
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if user == request.user and not form.cleaned_data["is_active"]:
            form.add_error("is_active", "不能停用自己的账号。")
        else:
            services.user_update(
                actor=request.user, user=user, request=request, **form.cleaned_data
            )
            messages.success(request, f"已保存用户 {user.username}。")
            return redirect("users")
    return render(request, "core/user_edit.html", {"form": form, "subject": user})


@capability_required("manage_users")
def user_password(request, user_id):
    user = get_object_or_404(User, pk=user_id)
    form = PasswordResetForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.user_set_password(
            actor=request.user, user=user, request=request, password=form.cleaned_data["password1"]
        )
        messages.success(request, f"已重置 {user.username} 的密码。")
        return redirect("users")
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": f"重置密码：{user.username}", "back_url": "users"},
    )


@capability_required("manage_users")
@require_POST
def user_unlock(request, user_id):
    user = get_object_or_404(User, pk=user_id)
    services.user_unlock(actor=request.user, user=user, request=request)
    messages.success(request, f"已解除 {user.username} 的登录锁定。")
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
