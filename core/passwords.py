import string

from django.core.exceptions import ValidationError


class PasswordPolicyValidator:
    """At least `min_length` characters from at least `min_classes` of: lower-case letters,
    upper-case letters, digits, symbols. Our own, because Django's length message has no
    Chinese translation."""

    def __init__(self, min_length: int = 8, min_classes: int = 3):
        self.min_length = min_length
        self.min_classes = min_classes

    @staticmethod
    def _classes(password: str) -> int:
        found = {
            "lower": any(c in string.ascii_lowercase for c in password),
            "upper": any(c in string.ascii_uppercase for c in password),
            "digit": any(c.isdigit() for c in password),
            "other": any(not c.isascii() or not c.isalnum() for c in password),
        }
        return sum(found.values())

    def validate(self, password, user=None):
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    f"密码太短：至少需要 {self.min_length} 个字符。", code="password_too_short"
                )
            )
        if self._classes(password) < self.min_classes:
            errors.append(
                ValidationError(
                    f"密码须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 类。",
                    code="password_too_simple",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return (
            f"至少 {self.min_length} 个字符，包含小写字母、大写字母、数字、符号中的至少 "
            f"{self.min_classes} 类。"
        )
