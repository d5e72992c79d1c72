"""The 文书 list as a spreadsheet (core.exports): what the list shows, with its filters, in the
viewer's townships."""

from core.exports import DATE, Column, Exporter
from notices.forms import DocumentFilterForm
from notices.selectors import document_search


def filtered(user, params):
    """The 文书 list's filter form, its values and the documents it finds for `user`: one
    reading for the list (notices.views.document_list) and its export."""
    form = DocumentFilterForm(params or None)
    f = form.cleaned_data if form.is_valid() else {}
    documents = document_search(
        user=user,
        text=(f.get("q") or "").strip(),
        doc_type=f.get("doc_type", ""),
        status=f.get("status", ""),
        served=f.get("served", ""),
    )
    return form, f, documents


def select(user, params):
    _, f, documents = filtered(user, params)
    return documents, f


def document_rows(documents):
    for d in documents.iterator(chunk_size=2000):
        yield (
            d.number_text,
            d.get_doc_type_display(),
            d.get_issuing_body_display(),
            d.enterprise.name,
            d.issued_on,
            d.served_on,
            d.deadline,
            "已作废" if d.is_voided else "有效",
        )


DOCUMENTS = Exporter(
    name="documents",
    title="文书清单",
    columns=(
        Column("发文字号", 26),
        Column("文书类型", 24),
        Column("发文机关", 30),
        Column("单位名称", 36),
        Column("成文日期", 12, DATE),
        Column("送达日期", 12, DATE),
        Column("期限届满日", 12, DATE),
        Column("状态", 8),
    ),
    select=select,
    rows=document_rows,
)
