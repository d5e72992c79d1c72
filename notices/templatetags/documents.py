from django import template

from core.masking import mask_account_numbers

register = template.Library()


@register.filter
def accounts_masked(text):
    """Free text as a page shows it, with every account-like number masked: what a user typed
    of a bank inquiry's findings (开户行、账号、余额) reaches the case timeline. The number in
    clear is in the issued PDF, whose every copy is audited (notices.accounts)."""
    return mask_account_numbers(text or "")
