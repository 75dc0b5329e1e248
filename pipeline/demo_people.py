"""Synthetic beneficiary households for the demo: names, valid IDs, members, entries and exits."""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from .ids import check_char
from .period import month_key

SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯邓许曾彭熊万涂喻邹龚程袁付肖余"
MALE_GIVEN = "伟强军明华建国平志勇斌波海鹏辉文杰峰涛俊磊德福根水生龙金林荣春保有长新"
FEMALE_GIVEN = "芳娟英秀兰红梅丽霞玲燕凤琴云莲萍珍艳敏慧婷雪琳桂菊翠香美小"
COMMUNITIES = ("民和", "幸福", "金桥", "新城", "贤士", "东升", "湖滨", "光明", "和平", "阳光", "胜利", "建设",
               "青春", "文化", "友谊", "顺化", "南钢", "北郊", "塘山", "创新", "万佳", "桃苑", "紫阳", "红湾")
# Household-number prefixes as the units write them; unknown units fall back to a numbered prefix.
UNIT_CODES = {"湖坊镇": "HF", "塘山镇": "TS", "京东镇": "JD", "罗家镇": "LJ", "青山路街道": "QSL",
              "上海路街道": "SHL", "南钢街道": "NG", "站东街道": "ZD", "高新园区": "GX"}
OLD_REGIONS = ("360102", "360103", "360104", "360121")
MONTH_STYLES = ("iso", "cn", "compact", "date")


@dataclass
class Person:
    name: str
    pid: str
    relation: str
    born: date
    male: bool
    disability: int = 0
    care: str = ""
    support: str = ""
    able: str = "无"
    job: str = ""
    orphan: str = "否"
    id_cell: object = None  # what the roster cell holds when a plant damages the ID

    @property
    def cell(self) -> object:
        return self.pid if self.id_cell is None else self.id_cell


@dataclass
class Household:
    unit: str
    number: str
    community: str
    category: str
    income: object
    rigid: object
    start: int
    stop: int | None
    month_style: str
    members: list[Person] = field(default_factory=list)

    def on_roster(self, keys: tuple[int, int, int]) -> bool:
        """Say whether the household is listed in the quarter with these month keys."""
        return self.start <= keys[-1] and (self.stop is None or self.stop > keys[0])


class IdIssuer:
    """Issue unique, valid GB 11643 numbers."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def issue(self, rng: random.Random, born: date, male: bool, *, region: str = "", check: str = "") -> str:
        """Return a new ID for the birth date and sex; `check` forces the check character."""
        region = region or ("360111" if rng.random() < 0.9 else rng.choice(OLD_REGIONS))
        while True:
            seq = 2 * rng.randrange(0, 499) + (1 if male else 2)
            first17 = f"{region}{born:%Y%m%d}{seq:03d}"
            pid = first17 + check_char(first17)
            if pid not in self.used and (not check or pid.endswith(check)):
                self.used.add(pid)
                return pid


def month_cell(key: int, style: str) -> object:
    """Write a month key the way a clerk would type it in this household's style."""
    year, month = divmod(key, 12)
    month += 1
    return {"iso": f"{year}-{month:02d}", "cn": f"{year}年{month}月",
            "compact": year * 100 + month, "date": datetime(year, month, 1)}[style]


def random_name(rng: random.Random, male: bool, surname: str = "") -> str:
    """Return a plausible Chinese name; the surname is drawn unless given."""
    pool = MALE_GIVEN if male else FEMALE_GIVEN
    given = "".join(rng.choice(pool) for _ in range(2 if rng.random() < 0.65 else 1))
    return (surname or rng.choice(SURNAMES)) + given


def _person(rng: random.Random, ids: IdIssuer, relation: str, year: int, male: bool, surname: str = "") -> Person:
    born = date(year, rng.randint(1, 12), rng.randint(1, 28))
    p = Person(random_name(rng, male, surname), ids.issue(rng, born, male), relation, born, male)
    if rng.random() < 0.08:
        p.disability = rng.choices((1, 2, 3, 4), (15, 25, 30, 30))[0]
    return p


def _set_work(rng: random.Random, people: list[Person], year: int) -> None:
    """Fill 劳动能力 and 就业状况, so that a household with able members has someone at work."""
    for p in people:
        age = year - p.born.year
        # Pupils under 18 are not counted as able to work, as 社区 clerks record them.
        if 18 <= age < 60:
            p.able = "无" if p.disability in (1, 2) or rng.random() < 0.12 else "有"
            p.job = rng.choices(("已就业", "灵活就业", "未就业"), (30, 40, 30))[0] if p.able == "有" else "未就业"
    able = [p for p in people if p.able == "有"]
    if able and all(p.job == "未就业" for p in able):
        able[0].job = rng.choice(("已就业", "灵活就业"))


def _family(rng: random.Random, ids: IdIssuer, size: int, year: int) -> list[Person]:
    """Return a head and up to size-1 relatives with birth years that fit their roles."""
    off = year - 2019
    head_year = rng.randint(1940 + off, 1985 + off)
    head_male = rng.random() < 0.6
    surname = rng.choice(SURNAMES)
    # Children carry the father's surname; a female head's husband gets one drawn here.
    father = surname if head_male else rng.choice(SURNAMES)
    plan: list[tuple[str, int, bool]] = []
    if rng.random() < 0.7:
        plan.append(("配偶", head_year + rng.randint(-4, 4), not head_male))
    if head_year >= 1965 + off:
        lo, hi = max(head_year + 20, 2001 + off), min(head_year + 40, 2016 + off)
        plan += [("子女", rng.randint(lo, hi), rng.random() < 0.5) for _ in range(3)]
        plan.append(("父母" if rng.random() < 0.8 else "其他", head_year - rng.randint(24, 32), rng.random() < 0.5))
    else:
        child = head_year + rng.randint(22, 32)
        plan.append(("子女", child, rng.random() < 0.5))
        plan += [("孙子女", rng.randint(max(child + 20, 2001 + off), 2016 + off), rng.random() < 0.5) for _ in range(2)]
        plan.append(("其他", head_year + rng.randint(-8, 8), rng.random() < 0.5))
    people = [_person(rng, ids, "户主", head_year, head_male, surname)]
    for relation, born, male in plan[: size - 1]:
        kin = relation in ("子女", "孙子女") or (relation == "配偶" and not head_male)
        people.append(_person(rng, ids, relation, born, male, father if kin else ""))
    _set_work(rng, people, year)
    return people


def _tekun(rng: random.Random, ids: IdIssuer, year: int) -> list[Person]:
    off = year - 2019
    p = _person(rng, ids, "户主", rng.randint(1930 + off, 1958 + off), rng.random() < 0.55)
    r = rng.random()
    p.care = "全失能" if r < 0.15 else "半失能" if r < 0.4 else ""
    p.support = "集中" if (p.care == "全失能" and rng.random() < 0.6) or rng.random() < 0.15 else "分散"
    return [p]


def _household(rng: random.Random, ids: IdIssuer, unit: str, year: int, standard: float, start: int,
               communities: list[str], unit_style: str) -> Household:
    category = rng.choices(("低保", "支出型", "特困"), (75, 10, 15))[0]
    income: object = None
    rigid: object = None
    if category == "特困":
        members = _tekun(rng, ids, year)
    elif category == "低保":
        members = _family(rng, ids, rng.choices((1, 2, 3, 4, 5), (25, 27, 25, 14, 9))[0], year)
        income = 0 if rng.random() < 0.1 else rng.randrange(50, int(min(400, standard - 70)) + 1, 10)
        income = income + 0.5 if income and rng.random() < 0.2 else income
    else:
        members = _family(rng, ids, rng.randint(2, 4), year)
        # Rigid spending must bring every such household below the standard, so it is paid and clean.
        while True:
            income, rigid = rng.randrange(500, 901, 10), rng.randrange(600, 2501, 50)
            if 0 < income - rigid / len(members) <= standard - 30:
                break
    style = unit_style if rng.random() < 0.85 else rng.choice(MONTH_STYLES)
    return Household(unit, "", rng.choice(communities), category, income, rigid, start, None, style, members)


def build_population(units: list[str], year: int, seed: int, standard: float, households: int | None = None
                     ) -> list[Household]:
    """Generate every local unit's households for the whole year, with entries and exits per quarter.

    `households` sets how many households each unit lists from before the year (about 144 when None); entries
    and exits per quarter scale with it.
    """
    ids = IdIssuer()
    population: list[Household] = []
    for index, unit in enumerate(units):
        rng = random.Random(f"{seed}:people:{unit}")
        communities = [c + "社区" for c in rng.sample(COMMUNITIES, 5)]
        style = rng.choice(MONTH_STYLES)

        def new(start: int) -> Household:
            return _household(rng, ids, unit, year, standard, start, communities, style)

        drawn = rng.randint(138, 150)
        count = drawn if households is None else households
        scale = count / drawn

        def turnover(lo: int, hi: int) -> int:
            return min(round(rng.randint(lo, hi) * scale), count // 8)

        base = [new(rng.randint(month_key(year - 7, 1), month_key(year - 1, 12))) for _ in range(count)]
        base.sort(key=lambda h: h.start)
        entrants = [new(month_key(year, 3 * q + rng.choice((2, 3))))
                    for q in range(4) for _ in range(turnover(4, 6))]
        for q in range(4):
            stayers = [h for h in base if h.stop is None]
            for h in rng.sample(stayers, turnover(3, 5)):
                h.stop = month_key(year, 3 * q + rng.choice((2, 3)))
        code = UNIT_CODES.get(unit, f"D{index + 1:02d}")
        for n, h in enumerate(base + entrants, start=1):
            h.number = f"{code}{n:04d}"
        population += base + entrants
    return population


def stable(population: list[Household], unit: str, year: int, category: str = "") -> list[Household]:
    """Return the unit's households listed all year, the ones plants may touch."""
    return [h for h in population if h.unit == unit and h.stop is None and h.start < month_key(year, 1)
            and (not category or h.category == category)]


def plant_roster_problems(population: list[Household], year: int, seed: int, standard: float) -> None:
    """Damage a few deterministic roster cells; see the module docstring of pipeline.demo."""
    rng = random.Random(f"{seed}:roster-plants")
    units = {h.unit for h in population}
    ids = IdIssuer()
    ids.used = {p.pid for h in population for p in h.members}
    touched: set[str] = set()

    def pick(unit: str, category: str = "", test=lambda h: True) -> Household | None:
        choices = [h for h in stable(population, unit, year, category) if h.number not in touched and test(h)]
        if unit not in units or not choices:
            return None
        h = rng.choice(choices)
        touched.add(h.number)
        return h

    if h := pick("罗家镇", "低保"):
        p = h.members[-1]
        wrong = [c for c in "0123456789X" if c != p.pid[-1] and not (c == "0" and p.pid[15:17] == "00")]
        p.id_cell = p.pid[:17] + rng.choice(wrong)
    if h := pick("上海路街道", "低保"):
        h.members[0].id_cell = int(h.members[0].pid[:15] + "000")
    if h := pick("站东街道", "低保", lambda h: h.members[0].pid.startswith("360111")):
        h.members[0].id_cell = f"{int(h.members[0].pid[:15]) * 1000:.5E}"
    source = pick("湖坊镇", "低保", lambda h: any(p.relation != "户主" and p.job in ("已就业", "灵活就业") for p in h.members))
    target = pick("塘山镇", "低保", lambda h: len(h.members) == 1)
    if source and target:
        twin = next(p for p in source.members if p.relation != "户主" and p.job in ("已就业", "灵活就业"))
        target.members = [replace(twin, relation="户主")]
    if h := pick("京东镇", "低保"):
        h.income = standard + 30
    for unit in ("青山路街道", "高新园区"):
        if h := pick(unit, "低保", lambda h: any(p.able == "有" for p in h.members)):
            for p in h.members:
                p.job = "未就业" if p.able == "有" else p.job
    if h := pick("南钢街道", "低保"):
        h.income = "待核实"
    if h := pick("湖坊镇", "", lambda h: h.members[0].pid.startswith("360111")):
        p = h.members[0]
        p.pid = ids.issue(rng, p.born, p.male, region="360111", check="X")
        p.id_cell = p.pid.lower()
    if h := pick("高新园区"):
        p = h.members[0]
        p.id_cell = f"{p.pid[:6]} {p.pid[6:14]} {p.pid[14:]}"
    for unit in ("罗家镇", "上海路街道"):
        if h := pick(unit, "低保", lambda h: len(h.members) >= 2):
            _make_orphan_household(rng, ids, h, year)
    _plant_move(rng, population, year, pick)


def _plant_move(rng: random.Random, population: list[Household], year: int, pick) -> None:
    """Move a 京东镇 person to a 湖坊镇 household entering in the second quarter; 京东镇 stops only from July.

    So the second quarter pays the person twice (a move, since the first quarter listed them in 京东镇 only), and the
    third quarter no longer lists them in 京东镇. Only who the entering head is changes: every amount stays the same.
    """
    second = (month_key(year, 5), month_key(year, 6))
    entering = [h for h in population if h.unit == "湖坊镇" and h.start in second]
    mover = pick("京东镇", "低保", lambda h: len(h.members) == 1)
    if mover is None or not entering:
        return
    head, target = mover.members[0], rng.choice(entering)
    target.members[0] = replace(target.members[0], name=head.name, pid=head.pid, born=head.born, male=head.male,
                                id_cell=None)
    mover.stop = month_key(year, 7)


def _make_orphan_household(rng: random.Random, ids: IdIssuer, h: Household, year: int) -> None:
    """Turn a household into a grandparent raising an orphaned grandchild (realism, not a finding)."""
    head = h.members[0]
    head_year = rng.randint(1948, 1956) + (year - 2019)
    head.born = head.born.replace(year=head_year)
    head.pid = ids.issue(rng, head.born, head.male, region=head.pid[:6])
    head.able, head.job = "无", ""
    child = h.members[1]
    child.born = child.born.replace(year=rng.randint(2006, 2012) + (year - 2019))
    child.pid = ids.issue(rng, child.born, child.male, region=head.pid[:6])
    child.name = random_name(rng, child.male, head.name[0] if head.male else "")
    child.relation, child.orphan, child.able, child.job = "孙子女", "是", "无", ""
    h.members = [head, child]
