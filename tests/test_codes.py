import pytest

from enterprises.codes import USCC_WEIGHTS, id_number_problem, uscc_check_char, uscc_problem


def test_weights_are_powers_of_three_mod_31():
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_known_valid_code():
    assert uscc_problem("91110000600037341L") is None


@pytest.mark.parametrize("first17", ["Y1140527MA0K3XN1X", "A2B3C4D5E6F7G8H9J", "N2HGW3LK5QR7TU8WX"])
def test_letters_anywhere_are_accepted(first17):
    # Do not assume the first 8 characters are digits: registration authority, type and area
    # may all be letters of the charset.
    assert uscc_problem(first17 + uscc_check_char(first17)) is None


def test_wrong_check_character_names_the_right_one():
    assert uscc_problem("91110000600037341A") == "统一社会信用代码校验位错误（末位应为 L）"


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z"])
def test_letters_not_in_the_charset_are_rejected(bad):
    assert "非法字符" in uscc_problem("9111000060003734" + bad + "L")


def test_length_is_checked():
    assert "18 位" in uscc_problem("9111000060003734")


def test_id_number_check_digit():
    assert id_number_problem("11010519491231002X") is None
    assert "校验位" in id_number_problem("110105194912310021")
    assert "出生日期" in id_number_problem("110105194913310028")
