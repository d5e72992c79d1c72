import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


@pytest.mark.parametrize("password", ["Shuibian7", "zhangsan#1", "HUGUAN-2026x", "Qingqian@2026"])
def test_three_classes_of_eight_characters_pass(password):
    validate_password(password)


@pytest.mark.parametrize(
    "password, reason",
    [
        ("Abc1!", "至少需要 8 个字符"),
        ("abcdefgh1", "至少 3 类"),  # two classes
        ("ABCDEFGHI", "至少 3 类"),  # one class
        ("12345678", "至少 3 类"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(password, reason):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert any(reason in message for message in error.value.messages)
