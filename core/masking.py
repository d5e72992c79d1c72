def mask_middle(value: str, keep_start: int = 6, keep_end: int = 4) -> str:
    """'440308199001011234' → '440308********1234'; short values are masked whole."""
    value = value or ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
