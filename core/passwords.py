import string

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def _classes(self, password: str) -> int:
        found = {
            "lower": any(c in string.ascii_lowercase for c in password),
            "upper": any(c in string.ascii_uppercase for c in password),
            "digit": any(c.isdigit() for c in password),
            "other": any(not c.isascii() or not c.isalnum() for c in password),
        }
        return sum(found.values())

    def validate(self, password, user=None):
        if self._classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return f"密码须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 类。"
