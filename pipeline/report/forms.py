"""Write the fill-in forms into 表格/<unit>/: a progress form per reporting unit and a roster form per local unit.

Headers and pre-filled cells are locked by sheet protection without a password; the cells a unit fills stay
editable and carry drop-downs and validation, so a filled form reads back through the ordinary reader with no findings.
"""
from __future__ import annotations

import re
from datetime import date

from ..config import Office
from ..forms import FormSet, ProgressForm, RosterForm
from ..output import Staging
from .progress_form import write_progress_form
from .roster_form import write_roster_form

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_name(unit: str) -> str:
    return _UNSAFE.sub("_", unit)


def progress_path(form: ProgressForm) -> str:
    return f"{safe_name(form.unit)}/{safe_name(form.unit)}-{form.period}进展情况表.xlsx"


def roster_path(form: RosterForm) -> str:
    return f"{safe_name(form.unit)}/{safe_name(form.unit)}-{form.period}救助对象台账.xlsx"


def write_forms(forms: FormSet, staging: Staging, office: Office, today: date) -> None:
    """Write every form of the set into the staging folder, one folder per unit."""
    for form in forms.progress:
        staging.write_with(progress_path(form), lambda p, f=form: write_progress_form(f, str(p), office, today))
    for form in forms.rosters:
        staging.write_with(roster_path(form), lambda p, f=form: write_roster_form(f, str(p), office, today))
