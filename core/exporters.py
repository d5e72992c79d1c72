"""The audit log (审计日志) as a spreadsheet (core.exports), with the audit page's filters and
every entry in words (core.audit_display)."""

from django.utils import timezone

from core.audit_display import detail_text, object_type_label
from core.exports import COUNT, Column, Exporter
from core.forms_audit import AuditSearchForm
from core.selectors import audit_entries_search


def filtered(user, params):
    """The audit page's filter form, its values and the entries it finds: one reading for the
    page (core.views_audit) and its export. Who may read the log is the view's decorator."""
    form = AuditSearchForm(params or None)
    f = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries_search(**{k: v for k, v in f.items() if v})
    return form, f, entries.select_related("actor")


def select(user, params):
    _, f, entries = filtered(user, params)
    return entries, f


def audit_rows(entries):
    for entry in entries.iterator(chunk_size=2000):
        yield (
            # Local time to the second: the day alone would not order one day's entries.
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
            entry.actor_username,
            entry.actor.full_name if entry.actor else "",
            entry.get_action_display(),
            object_type_label(entry.object_type),
            entry.object_repr,
            entry.get_result_display(),
            entry.ip or "",
            detail_text(entry),
            entry.seq,
        )


AUDIT_LOG = Exporter(
    name="audit_log",
    title="审计日志",
    columns=(
        Column("时间", 20),
        Column("用户名", 14),
        Column("姓名", 10),
        Column("操作", 14),
        Column("对象类型", 14),
        Column("对象", 36),
        Column("结果", 8),
        Column("IP 地址", 16),
        Column("详情", 80),
        Column("链序号", 10, COUNT),
    ),
    select=select,
    rows=audit_rows,
)
