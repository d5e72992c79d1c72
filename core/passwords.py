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


# A name of n characters with heteronyms has at most this many readings checked: 单曾 alone has
# six; a long foreign name transcribed in characters must not make a password check slow.
_MAX_READINGS = 64


def _readings(syllables: list[list[str]]) -> set[str]:
    readings = {""}
    for options in syllables:
        readings = {r + o for r in readings for o in options}
        if len(readings) > _MAX_READINGS:
            readings = set(sorted(readings)[:_MAX_READINGS])
    return readings


def _syllables(name: str, style) -> list[list[str]]:
    """Each character's readings (all of a heteronym's: 单 dan/shan/chan, since a surname is
    often read the rare way), lower-case letters only; ü also as u and yu (吕 lv, lu, lyu)."""
    from pypinyin import pinyin

    result = []
    for options in pinyin(name, style=style, heteronym=True, errors="ignore"):
        spelt = set()
        for option in options:
            letters = "".join(c for c in option.lower() if c.isascii() and c.isalpha())
            if letters:
                spelt.add(letters)
                if "v" in letters:
                    spelt |= {letters.replace("v", "u"), letters.replace("v", "yu")}
        if spelt:
            result.append(sorted(spelt))
    return result


def name_fragments(username: str, full_name: str) -> tuple[set[str], set[str]]:
    """What a password must not contain: (whole words, checked in the password as typed and in
    its letters alone, so that Zhang.San1 counts; initials, checked as typed only, since two
    letters turn up by chance once the symbols between letters are dropped)."""
    from pypinyin import Style

    words = {username.lower()} if username else set()
    initials = set()
    name = "".join(full_name.split())
    if name:
        words.add(name.lower())
        words |= _readings(_syllables(name, Style.NORMAL))
        initials |= _readings(_syllables(name, Style.FIRST_LETTER))
    return {w for w in words if len(w) >= 2}, {i for i in initials if len(i) >= 2}


class PasswordNameValidator:
    """The password contains neither the user name nor the person's name, in characters, in
    pinyin (张三: zhangsan) or as initials (zs), case-insensitive."""

    def validate(self, password, user=None):
        if user is None:
            return
        words, initials = name_fragments(
            getattr(user, "username", "") or "", getattr(user, "full_name", "") or ""
        )
        typed = password.lower()
        letters = "".join(c for c in typed if c.isascii() and c.isalpha())
        if any(w in typed or (w.isascii() and w in letters) for w in words) or any(
            i in typed for i in initials
        ):
            raise ValidationError(
                "密码不能包含用户名或姓名（包括姓名的拼音和拼音首字母）。",
                code="password_contains_name",
            )

    def get_help_text(self):
        return "不能包含用户名或姓名（包括姓名的拼音和拼音首字母）。"


class PasswordHistoryValidator:
    """None of the user's last PASSWORD_HISTORY_COUNT passwords, the current one included
    (core.models.PasswordHistory, written by core.services when a password is set)."""

    def __init__(self, count: int | None = None):
        self._count = count

    @property
    def count(self) -> int:
        from django.conf import settings

        return self._count or settings.PASSWORD_HISTORY_COUNT

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import check_password

        from core.models import PasswordHistory

        recent = list(
            PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[
                : self.count
            ]
        )
        # The current password, also when it was set outside the application (no history).
        stored = (
            get_user_model().objects.filter(pk=user.pk).values_list("password", flat=True).first()
        )
        if stored and stored not in recent:
            recent.append(stored)
        if any(check_password(password, encoded) for encoded in recent if encoded):
            raise ValidationError(
                f"不能使用最近 {self.count} 次用过的密码。", code="password_reused"
            )

    def get_help_text(self):
        return f"不能与最近 {self.count} 次用过的密码相同。"
