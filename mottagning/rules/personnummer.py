"""Swedish personnummer and samordningsnummer: parsing, normalising, checking.

A bad check digit is a warning for the worker, never a reason to refuse a report, so
`parse` returns what it could read together with the problems it found.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from stdnum import luhn

_PATTERN = re.compile(r"^\s*(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})\s*$")


@dataclass(frozen=True)
class Personnummer:
    """A parsed identity number; `normalised` is `YYYYMMDD-NNNN`."""

    normalised: str
    birth_date: date | None
    coordination: bool
    check_digit_ok: bool
    warnings: tuple[str, ...] = field(default=())

    @property
    def digits(self) -> str:
        """The 12 digits without separator."""
        return self.normalised.replace("-", "")


def _century(yy: int, plus: bool, today: date) -> int:
    """The century for a 10-digit number: '+' means 100 years or older."""
    year = today.year // 100 * 100 + yy
    if year > today.year:
        year -= 100
    if plus:
        year -= 100
    return year // 100


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def parse(text: str, *, today: date | None = None) -> Personnummer | None:
    """Parse `text`; None when it is not shaped like a personnummer at all.

    Unicode digits and dashes are normalised first (NFKC): a number typed with full-width
    digits is the same person, not a new child with a bad check digit.
    """
    match = _PATTERN.match(unicodedata.normalize("NFKC", text or "").replace("\u2212", "-"))
    if not match:
        return None
    cc, yy, mm, dd, sep, tail = match.groups()
    today = today or date.today()
    century = int(cc) if cc else _century(int(yy), sep == "+", today)
    year, month, day = century * 100 + int(yy), int(mm), int(dd)
    coordination = day > 60
    real_day = day - 60 if coordination else day
    warnings: list[str] = []
    try:
        birth = date(year, month, real_day)
    except ValueError:
        birth = None
        warnings.append("Ogiltigt födelsedatum i personnumret")
    if sep == "+" and birth is not None and birth > _years_before(today, 100):
        # "+" is written from the 100th birthday on: the number or its date is wrong.
        warnings.append("Plustecken i personnumret men personen är inte 100 år")
    check_ok = luhn.is_valid(f"{yy}{mm}{dd}{tail}")
    if not check_ok:
        warnings.append("Kontrollsiffran i personnumret stämmer inte")
    normalised = f"{year:04d}{mm}{dd}-{tail}"
    return Personnummer(normalised, birth, coordination, check_ok, tuple(warnings))


def with_check_digit(first_nine: str) -> str:
    """The tenth digit for `YYMMDDNNN` (used by demo data to make valid numbers)."""
    return luhn.calc_check_digit(first_nine)
