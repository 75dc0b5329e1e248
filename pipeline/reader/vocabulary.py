"""The words rosters use for categories, grades, care needs and the like, and the parsers of one such cell."""
from __future__ import annotations

import re

from ..cells import clean_text, is_blank

CATEGORY_WORDS = {
    "低保": ("低保", "城市低保", "城镇低保", "低保户", "最低生活保障", "城镇最低生活保障", "城市最低生活保障", "低保对象",
           "低保家庭", "城市低保户", "城镇低保户", "城市低保家庭", "城镇低保家庭", "城市居民最低生活保障", "城镇居民最低生活保障"),
    "特困": ("特困", "特困供养", "特困人员", "城市特困", "城镇特困", "特困供养人员", "城市三无", "三无人员", "特困户",
           "特困对象", "城市特困人员", "城镇特困人员", "特困供养对象", "集中供养特困", "分散供养特困"),
    "支出型": ("支出型", "支出型贫困", "支出型贫困家庭", "支出型贫困低收入家庭", "支出型低收入家庭", "支出型贫困低收入",
            "支出型贫困户", "支出型困难家庭", "支出型贫困对象"),
}
GRADE_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4, "壹": 1, "贰": 2, "叁": 3, "肆": 4,
               "I": 1, "II": 2, "III": 3, "IV": 4}
CARE_WORDS = {
    "全失能": ("全失能", "完全失能", "失能", "完全不能自理", "全护理", "不能自理", "生活不能自理"),
    "半失能": ("半失能", "部分失能", "半自理", "部分自理", "部分不能自理", "半护理"),
    "": ("自理", "能自理", "生活自理", "完全自理", "有自理能力", "全自理"),
}
SUPPORT_WORDS = {"集中": ("集中", "集中供养", "机构供养"), "分散": ("分散", "分散供养", "居家供养")}
ABILITY_WORDS = {"有": ("有", "有劳动能力", "具备劳动能力", "能", "是", "部分丧失劳动能力", "部分劳动能力"),
                 "无": ("无", "无劳动能力", "丧失劳动能力", "完全丧失劳动能力", "否", "没有")}
EMPLOYMENT_WORDS = {"已就业": ("已就业", "就业", "在职", "务工", "稳定就业", "是"),
                    "灵活就业": ("灵活就业", "零工", "打零工", "个体", "自主创业", "个体经营"),
                    "未就业": ("未就业", "失业", "无业", "待业", "否", "无工作")}
YES_NO = {True: ("是", "Y", "y", "√", "1", "yes"), False: ("否", "N", "n", "×", "0", "no")}
# What 无, — and NA mean is decided per column, never by pandas' NA guessing:
#   家庭月人均收入  无 = no income (0); —, NA, blank = not filled (bad-value for 低保 and 支出型)
#   家庭月刚性支出  any of them = 0          停发年月  any = still paid     享受起始年月  any = missing (bad-value)
#   残疾等级        any = not disabled       失能情况  any = self-caring    孤儿          any = 否
#   劳动能力        无 = no ability; —, NA = unknown                         就业状况, 供养方式  any = unknown
#   公民身份号码    any = a missing ID (id-invalid)                          家庭人口      any = not given
# Cells that mean "not applicable" in a person-level column where blank is a real answer.
_EMPTY_ANSWERS = frozenset({"", "—", "——", "-", "--", "/", "／", "NA", "N/A", "na", "n/a", "null", "None", "无"})
# 一级, 1级, 肢体二级, 视力残疾三级, 二级（肢体）, Ⅱ级 (NFKC makes it II).
_GRADE = re.compile(r"^(?:[^\d一二三四壹贰叁肆IV]{0,6}?)(IV|I{1,3}|[1-4一二三四壹贰叁肆])级?(?:残疾|伤残)?(?:[（(/][^\d]{0,6}[)）]?)?$")
HEAD_WORDS = frozenset({"户主", "本人", "户主本人", "申请人"})
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[\s。，,.;；!！、]+")
_STATUS_NOTE = re.compile(r"[（(][^）)]*[)）]$")
_BRACKET_TAIL = re.compile(r"[（(][^）)]*[)）]$")

def _vocab(table: dict) -> dict[str, object]:
    return {clean_text(w): key for key, words in table.items() for w in words}


_CATEGORY = _vocab(CATEGORY_WORDS)
CARE, SUPPORT, ABILITY = _vocab(CARE_WORDS), _vocab(SUPPORT_WORDS), _vocab(ABILITY_WORDS)
EMPLOYMENT, YES_NO_WORDS = _vocab(EMPLOYMENT_WORDS), _vocab(YES_NO)


def parse_category(raw: object) -> str | None:
    """Read 低保 / 特困 / 支出型 from the words rosters use; raise ValueError when unknown."""
    text = _SPACES.sub("", clean_text(raw))
    if is_blank(text):
        return None
    for candidate in (text, _BRACKET_TAIL.sub("", text)):
        if candidate in _CATEGORY:
            return _CATEGORY[candidate]
    raise ValueError(raw)


def parse_grade(raw: object) -> int | None:
    """Read a disability grade 一级–四级 or 1–4; None when not disabled."""
    text = _SPACES.sub("", clean_text(raw)).upper()
    if text in _EMPTY_ANSWERS or text.lower() in _EMPTY_ANSWERS or text in {"否", "非残疾", "无残疾", "0"}:
        return None
    m = _GRADE.match(text)
    if not m:
        raise ValueError(raw)
    return GRADE_WORDS[m.group(1)]


def is_head(relation: object) -> bool:
    """Say whether a 与户主关系 cell marks the head of the household."""
    return _SPACES.sub("", clean_text(relation)) in HEAD_WORDS


def word(table: dict[str, object], raw: object, *, blank=None):
    """Map a cell to the table's key for the word it holds; `blank` for an empty answer; raise ValueError if unknown."""
    text = _SPACES.sub("", clean_text(raw))
    if text in _EMPTY_ANSWERS and text not in table:
        return blank
    if text in table:
        return table[text]
    raise ValueError(raw)



def status_of(words: dict[str, str], text: str) -> str | None:
    """Map a status as written (已完成。, 推进中（80%）, 已 完 成) to its canonical word."""
    for candidate in (text, _PUNCT.sub("", text), _PUNCT.sub("", _STATUS_NOTE.sub("", text))):
        if candidate in words:
            return words[candidate]
    return None
