"""The demo county: deterministic for a given seed, safe to load twice (keys are natural)."""

import random
from datetime import date, timedelta

from django.contrib.auth.models import Group

from core import roles
from core.locks import operations_transaction
from core.models import User
from enterprises.codes import USCC_CHARSET, id_check_char, uscc_check_char
from enterprises.models import (
    BankAccount,
    Enterprise,
    EnterpriseStatus,
    Industry,
    Ownership,
    Region,
    TaskGroup,
)

DEMO_PASSWORD = "Qingqian@2026"
COUNTY_CODE = "140527"  # area code used in generated credit codes and ID numbers

TOWNSHIPS = [
    ("140527100", "龙泉镇"),
    ("140527101", "百尺镇"),
    ("140527102", "店上镇"),
    ("140527103", "晋庄镇"),
    ("140527104", "黄山乡"),
    ("140527105", "东井岭乡"),
    ("140527106", "石坡乡"),
    ("140527107", "五龙山乡"),
    ("140527108", "鹅屋乡"),
]
GROUPS = ["第一工作组", "第二工作组", "第三工作组"]

# username, full name, role, index of the task group (None: county-wide roles)
USERS = [
    ("jingban", "王丽华", roles.CASEWORKER, 0),
    ("zuzhang", "李建国", roles.GROUP_LEADER, 0),
    ("jingban2", "赵敏", roles.CASEWORKER, 1),
    ("zuzhang2", "陈志强", roles.GROUP_LEADER, 1),
    ("jingban3", "孙晓燕", roles.CASEWORKER, 2),
    ("zuzhang3", "周海涛", roles.GROUP_LEADER, 2),
    ("lingdao", "张明远", roles.TASKFORCE_LEADER, None),
    ("ducha", "刘芳", roles.SUPERVISOR, None),
    ("admin", "杨帆", roles.SYSTEM_ADMIN, None),
    # 三员分立: the security administrator confirms changes to the other two's accounts.
    ("anquan", "郑伟", roles.SECURITY_ADMIN, None),
    ("shenji", "吴静", roles.AUDIT_ADMIN, None),
]

_BRANDS = [
    "鑫源",
    "恒达",
    "宏泰",
    "华晟",
    "瑞丰",
    "太行",
    "长兴",
    "金鼎",
    "润泽",
    "永盛",
    "天成",
    "万通",
    "晋阳",
    "东方",
    "嘉禾",
    "博远",
    "汇通",
    "昌隆",
    "福源",
    "兴旺",
    "鸿运",
    "广利",
    "宝丰",
    "泰和",
]
_TRADES = [
    ("机械制造", Industry.C),
    ("煤炭洗选", Industry.B),
    ("建材", Industry.C),
    ("建筑工程", Industry.E),
    ("农业开发", Industry.A),
    ("商贸", Industry.F),
    ("物流", Industry.G),
    ("酒店管理", Industry.H),
    ("食品加工", Industry.C),
    ("化工", Industry.C),
    ("电力设备", Industry.D),
    ("房地产开发", Industry.K),
    ("医药", Industry.F),
    ("服装", Industry.C),
    ("餐饮服务", Industry.H),
    ("信息技术", Industry.I),
    ("劳务服务", Industry.L),
    ("矿业", Industry.B),
    ("养殖", Industry.A),
    ("物业服务", Industry.K),
]
_FORMS = [
    ("有限公司", Ownership.LIMITED),
    ("有限责任公司", Ownership.LIMITED),
    ("股份有限公司", Ownership.STOCK),
    ("厂", Ownership.COLLECTIVE),
]
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰海燕鹏飞宇浩文斌波辉"
_BANKS = [
    "中国工商银行壶关支行",
    "中国农业银行壶关县支行",
    "中国建设银行壶关支行",
    "山西壶关农村商业银行",
    "中国邮政储蓄银行壶关县支行",
]
_STATUS_WEIGHTS = [
    (EnterpriseStatus.NORMAL, 70),
    (EnterpriseStatus.SUSPENDED, 10),
    (EnterpriseStatus.DORMANT, 8),
    (EnterpriseStatus.BANKRUPTCY_ACCEPTED, 3),
    (EnterpriseStatus.BANKRUPT, 2),
    (EnterpriseStatus.DEREGISTERED, 3),
    (EnterpriseStatus.MISSING, 4),
]


def _credit_code(rng: random.Random) -> str:
    # 9 = registered by market regulation, 1 = company; the 9-character identifier may hold letters.
    identifier = "".join(rng.choice(USCC_CHARSET) for _ in range(9))
    first17 = f"91{COUNTY_CODE}{identifier}"
    return first17 + uscc_check_char(first17)


def _person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
    born = date(1955, 1, 1) + timedelta(days=rng.randrange(365 * 45))
    first17 = f"{COUNTY_CODE}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return name, first17 + id_check_char(first17)


def _users(stdout) -> dict[str, User]:
    users = {}
    for username, full_name, role, _ in USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.full_name, user.is_active = full_name, True
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        users[username] = user
    return users


def _organisation(users) -> list[Region]:
    groups = []
    for index, name in enumerate(GROUPS):
        group, _ = TaskGroup.objects.get_or_create(name=name)
        members = [users[u] for u, _, role, g in USERS if g == index and role == roles.CASEWORKER]
        leader = next(
            users[u] for u, _, role, g in USERS if g == index and role == roles.GROUP_LEADER
        )
        group.leader = leader
        group.save()
        group.members.set(members)
        groups.append(group)
    regions = []
    for index, (code, name) in enumerate(TOWNSHIPS):
        region, _ = Region.objects.update_or_create(
            name=name, defaults={"code": code, "task_group": groups[index // 3]}
        )
        regions.append(region)
    return regions


def _enterprise_data(rng: random.Random, regions: list[Region], used_names: set) -> dict:
    while True:
        trade, industry = rng.choice(_TRADES)
        form, ownership = rng.choice(_FORMS)
        region = rng.choice(regions)
        prefix = rng.choice(["壶关县", "壶关", f"壶关县{region.name}", "山西"])
        name = f"{prefix}{rng.choice(_BRANDS)}{trade}{form}"
        if name not in used_names:
            used_names.add(name)
            break
    status = rng.choices([s for s, _ in _STATUS_WEIGHTS], [w for _, w in _STATUS_WEIGHTS])[0]
    accepted = declared = None
    if status in (EnterpriseStatus.BANKRUPTCY_ACCEPTED, EnterpriseStatus.BANKRUPT):
        accepted = date(2023, 1, 1) + timedelta(days=rng.randrange(900))
        if status == EnterpriseStatus.BANKRUPT:
            declared = accepted + timedelta(days=rng.randrange(60, 300))
    rep, id_number = _person(rng)
    return {
        "name": name,
        "region": region,
        "industry": industry,
        "ownership": Ownership.STATE if rng.random() < 0.05 else ownership,
        "status": status,
        "bankruptcy_accepted_on": accepted,
        "bankruptcy_declared_on": declared,
        "legal_representative": rep,
        "legal_rep_id_number": id_number,
        "phone": f"0355-{rng.randrange(8000000, 8999999)}"
        if rng.random() < 0.5
        else f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
        "address": f"{region.name}{rng.choice(['工业园区', '建设路', '太行街', '府前路', '商贸街'])}"
        f"{rng.randrange(1, 300)}号",
        "headcount": rng.choice([3, 5, 8, 12, 20, 35, 60, 120, 300]) + rng.randrange(5),
    }


def seed_county(*, enterprises: int, seed: int, stdout) -> dict:
    # One transaction for the whole step, in which each payment keeps the lock order alone.
    with operations_transaction():
        return _seed_county(enterprises=enterprises, seed=seed, stdout=stdout)


def _seed_county(*, enterprises: int, seed: int, stdout) -> dict:
    rng = random.Random(seed)
    users = _users(stdout)
    regions = _organisation(users)
    # Everything is drawn before the database is consulted, so a rerun draws the same county.
    used_names: set[str] = set()
    drawn = []
    for index in range(enterprises):
        code = _credit_code(rng)
        data = _enterprise_data(rng, regions, used_names)
        data["unit_number"] = f"1405{seed % 100:02d}{index:05d}"
        account = (
            (rng.choice(_BANKS), f"{rng.randrange(10**18, 10**19)}") if rng.random() < 0.8 else None
        )
        drawn.append((code, data, account))
    created = 0
    for code, data, account in drawn:
        enterprise, was_created = Enterprise.objects.get_or_create(credit_code=code, defaults=data)
        created += was_created
        if was_created and account:
            BankAccount.objects.create(
                enterprise=enterprise,
                bank_name=account[0],
                account_number=account[1],
                is_basic=True,
            )
    return {"users": len(users), "regions": len(regions), "enterprises_created": created}
