import re

# A bank account number as people type it in free text: 12 or more digits (full-width ones
# too, `\d` is Unicode), in groups split by single spaces or hyphens ("6222 0212 3456 7890").
# Twelve, because the shortest Chinese corporate account numbers have 12 digits while the
# numbers such text also holds stay shorter: an 11-digit mobile phone, a date, an amount of
# money. A credit code is letters and digits and is not touched unless all digits.
ACCOUNT_NUMBER_IN_TEXT = re.compile(r"\d(?:[ \u3000-]?\d){11,}")


def mask_middle(value: str, keep_start: int = 6, keep_end: int = 4) -> str:
    """'440308199001011234' → '440308********1234'; short values are masked whole."""
    value = value or ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_account_numbers(text: str) -> str:
    """Free text with every account-like number in it masked as `mask_middle` masks a field:
    '工行 6222 0212 3456 7890，余额 3 万元' → '工行 622202******7890，余额 3 万元'. For what a user
    typed where an account number may stand (a bank inquiry's findings), shown to someone who
    may not unmask it."""
    return ACCOUNT_NUMBER_IN_TEXT.sub(
        lambda match: mask_middle(re.sub(r"[ \u3000-]", "", match.group())), text or ""
    )


def has_account_number(text: str) -> bool:
    return bool(ACCOUNT_NUMBER_IN_TEXT.search(text or ""))
