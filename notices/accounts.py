"""Documents that state an enterprise's bank account number, and who reads them in clear.

The 账户查询通知书 and the 划拨 documents (申请、决定书、协助划拨通知书) name the account the bank
is to search or debit: the issued act keeps the full number, it is what the bank acts on
(社会保险法 第六十三条; 行政强制法 第四十七条). Bank numbers are masked unless a permission
unmasks them (DESIGN §5), so the act itself — its PDF and the scans of its service — goes only
to users who may unmask, every copy audited; anyone else who may see the document reads its
text with the numbers masked. A court application carries the inquiries' findings, as typed:
it falls under the same rule when those findings hold an account number.
"""

import copy

from core.masking import has_account_number, mask_account_numbers, mask_middle
from core.roles import has_capability
from notices.types import RULES

# The free-text parts of a document's `extra` where a user may have typed an account number:
# the bank inquiry's findings (划拨申请) and the property they showed (强制执行申请书).
FREE_TEXT = ("findings", "property")


def may_unmask(user) -> bool:
    return has_capability(user, "unmask_personal_data")


def states_bank_account(doc_type: str, content: dict) -> bool:
    rules = RULES.get(doc_type)
    if rules is not None and rules.states_bank_account:
        return True
    extra = content.get("extra") or {}
    return any(has_account_number(str(extra.get(name) or "")) for name in FREE_TEXT)


def readable_in_clear(user, document) -> bool:
    """Whether `user` may have the document as issued (its PDF, its service proofs). Township
    scoping comes first and is the caller's (notices.selectors)."""
    return may_unmask(user) or not states_bank_account(document.doc_type, document.content)


def masked_content(content: dict) -> dict:
    """The content with the enterprise's account numbers masked: what a page shows of a
    document, to everyone — the clear number is in the issued PDF, which is audited. The
    county's own collection account (office.account_number) is printed on every demand for
    payment and stays as it is."""
    content = copy.deepcopy(content)
    bank = content.get("bank")
    if bank and bank.get("account"):
        bank["account"] = mask_middle(bank["account"])
    extra = content.get("extra") or {}
    if extra.get("account"):
        extra["account"] = mask_middle(extra["account"])
    for name in FREE_TEXT:
        if extra.get(name):
            extra[name] = mask_account_numbers(str(extra[name]))
    return content
