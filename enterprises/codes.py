"""Check characters of the 统一社会信用代码 (GB 32100-2015) and the resident ID number (GB 11643)."""

import re
from datetime import date

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Position i (0-based) weighs 3**i mod 31: 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, …
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"

ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
ID_CHECK = "10X98765432"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """None when valid, else the reason in Chinese."""
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，实际为 {len(code)} 位"
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        return f"统一社会信用代码含非法字符 {'、'.join(bad)}（不使用 I、O、S、V、Z）"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误（末位应为 {expected}）"
    return None


def id_number_problem(number: str) -> str | None:
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return "身份证号应为 18 位（末位可为 X）"
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    total = sum(int(c) * w for c, w in zip(number[:17], ID_WEIGHTS, strict=True))
    if number[17] != ID_CHECK[total % 11]:
        return f"身份证号校验位错误（末位应为 {ID_CHECK[total % 11]}）"
    return None


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def credit_code_from_cell(value) -> str:
    """The credit code in a spreadsheet cell, normalised; ValueError with the reason in Chinese.

    An 18-character code typed into a number cell has already lost digits: it is refused, not
    guessed at.
    """
    from core.excel import normalize_text

    if value is None:
        raise ValueError("不能为空")
    if isinstance(value, (int, float)):
        raise ValueError("被存成了数字（18 位代码会丢失精度），请将该列设为文本格式后重新填写")
    return normalize_text(value).replace(" ", "").upper()


# What a user is told about an enterprise they may not see: the same words whether it exists in
# another township or nowhere, so that no message tells that another township has it.
NOT_YOURS = (
    "无法在您管辖的乡镇登记或修改该企业，请核对统一社会信用代码；确属本辖区的，请联系系统管理员"
)


def enterprise_in_cell(value, known: dict, allowed_region_ids, *, missing: str = "") -> tuple:
    """The register's entry for the credit code in an import cell — `known` maps codes to tuples
    whose last item is the region id — as (entry, "") or (None, the reason in Chinese)."""
    try:
        code = credit_code_from_cell(value)
    except ValueError as error:
        return None, str(error)
    entry = known.get(code)
    # Another township's enterprise reads exactly as one that is not in the register.
    if entry is None or (allowed_region_ids is not None and entry[-1] not in allowed_region_ids):
        return None, f"企业 {code} 不在企业名册中{missing}"
    return entry, ""
