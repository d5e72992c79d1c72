"""Option parsing shared by the quote commands (DESIGN §4), so each refuses bad input alike."""

from datetime import date

from django.core.management.base import CommandError


def date_option(option: str, text: str) -> date:
    """An ISO date given to `option`, or a CommandError that names the option and the input."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} 不是日期（应为 YYYY-MM-DD）：{text}") from None
