"""Lexical spaces of the XSD datatypes: which literals are well-typed, exactly.

rdflib decides well-typedness by converting with Python (``int()``, ``Decimal()``...), which
accepts what XML Schema does not: ``int("１２３")`` is 123 (full-width digits),
``int("1_000")`` is 1000 and surrounding blanks are stripped. So ``"１２３"^^xsd:integer`` was
silently read as 123. This module checks the lexical form against the XSD 1.1 grammar
(ASCII digits only) first; :func:`problem` adds the value checks (a 30 February, an
out-of-range ``xsd:byte``) that need a calendar or arithmetic.

>>> problem("１２３", XSD + "integer")
'not a valid xsd:integer lexical form'
>>> problem("2024-02-30", XSD + "date") is None
False
>>> problem("2024-02-29", XSD + "date") is None
True
"""

from __future__ import annotations

import calendar
import re
from typing import Final

__all__ = ["XSD", "problem"]

XSD: Final = "http://www.w3.org/2001/XMLSchema#"

_DIGITS = "[0-9]"
_INTEGER = rf"[+-]?{_DIGITS}+"
_DECIMAL = rf"[+-]?(?:{_DIGITS}+(?:\.{_DIGITS}*)?|\.{_DIGITS}+)"
_FLOAT = rf"(?:{_DECIMAL}(?:[eE][+-]?{_DIGITS}+)?|[+-]?INF|NaN)"
_YEAR = rf"-?(?:[1-9]{_DIGITS}{{3,}}|0{_DIGITS}{{3}})"
_MONTH = "(?:0[1-9]|1[0-2])"
_DAY = rf"(?:0[1-9]|[12]{_DIGITS}|3[01])"
_ZONE = rf"(?:Z|[+-](?:(?:0{_DIGITS}|1[0-3]):[0-5]{_DIGITS}|14:00))?"
_TIME = (
    rf"(?:(?:[01]{_DIGITS}|2[0-3]):[0-5]{_DIGITS}:[0-5]{_DIGITS}(?:\.{_DIGITS}+)?"
    r"|24:00:00(?:\.0+)?)"
)
_DURATION_YM = rf"(?:{_DIGITS}+Y(?:{_DIGITS}+M)?|{_DIGITS}+M)"
_DURATION_DT = (
    rf"(?:{_DIGITS}+D(?:T(?:{_DIGITS}+H(?:{_DIGITS}+M)?(?:{_DIGITS}+(?:\.{_DIGITS}+)?S)?"
    rf"|{_DIGITS}+M(?:{_DIGITS}+(?:\.{_DIGITS}+)?S)?|{_DIGITS}+(?:\.{_DIGITS}+)?S))?"
    rf"|T(?:{_DIGITS}+H(?:{_DIGITS}+M)?(?:{_DIGITS}+(?:\.{_DIGITS}+)?S)?"
    rf"|{_DIGITS}+M(?:{_DIGITS}+(?:\.{_DIGITS}+)?S)?|{_DIGITS}+(?:\.{_DIGITS}+)?S))"
)
_BASE64_CHAR = "[A-Za-z0-9+/]"

_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    name: re.compile(pattern, re.ASCII)
    for names, pattern in (
        (
            (
                "integer",
                "nonNegativeInteger",
                "positiveInteger",
                "nonPositiveInteger",
                "negativeInteger",
                "long",
                "int",
                "short",
                "byte",
                "unsignedLong",
                "unsignedInt",
                "unsignedShort",
                "unsignedByte",
            ),
            _INTEGER,
        ),
        (("decimal",), _DECIMAL),
        (("float", "double"), _FLOAT),
        (("boolean",), "true|false|1|0"),
        (("date",), rf"{_YEAR}-{_MONTH}-{_DAY}{_ZONE}"),
        (("dateTime", "dateTimeStamp"), rf"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}{_ZONE}"),
        (("time",), rf"{_TIME}{_ZONE}"),
        (("gYear",), rf"{_YEAR}{_ZONE}"),
        (("gYearMonth",), rf"{_YEAR}-{_MONTH}{_ZONE}"),
        (("gMonth",), rf"--{_MONTH}{_ZONE}"),
        (("gMonthDay",), rf"--{_MONTH}-{_DAY}{_ZONE}"),
        (("gDay",), rf"---{_DAY}{_ZONE}"),
        (("duration",), rf"-?P(?:{_DURATION_YM}(?:{_DURATION_DT})?|{_DURATION_DT})"),
        (("yearMonthDuration",), rf"-?P{_DURATION_YM}"),
        (("dayTimeDuration",), rf"-?P{_DURATION_DT}"),
        (("hexBinary",), "(?:[0-9A-Fa-f]{2})*"),
        (
            ("base64Binary",),
            rf"(?:(?:{_BASE64_CHAR} ?){{4}})*(?:(?:{_BASE64_CHAR} ?){{3}}{_BASE64_CHAR}"
            rf"|(?:{_BASE64_CHAR} ?){{2}}[AEIMQUYcgkosw048] ?="
            rf"|{_BASE64_CHAR} ?[AQgw] ?= ?=)?",
        ),
        (("language",), "[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*"),
    )
    for name in names
}

# Inclusive bounds of the bounded integer types.
_RANGES: Final[dict[str, tuple[int | None, int | None]]] = {
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
}
_DATE_PART = re.compile(r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})", re.ASCII)
_MONTH_DAY = re.compile(r"--([0-9]{2})-([0-9]{2})", re.ASCII)
_NORMALIZED = re.compile("[\t\n\r]")
_TOKEN = re.compile(r"(?:[^\s]+(?: [^\s]+)*)?")
_LONGEST_DIGITS = 4300  # Python's default limit on int() of a decimal string


def _day_exists(year: int, month: int, day: int) -> bool:
    # Year 0 is 1 BCE in XSD 1.1 (a leap year); calendar.monthrange wants 1..9999, so the
    # leap rule is applied to the year itself and the month length read in a year like it.
    days = calendar.monthrange(2000 if calendar.isleap(year) else 2001, month)[1]
    return 1 <= day <= days


def problem(lexical: str, datatype: str) -> str | None:
    """What is wrong with the literal ``lexical``^^``datatype``, or None if well-typed.

    Only the XSD datatypes are checked; any other datatype is taken as written.
    """
    if not datatype.startswith(XSD):
        return None
    name = datatype[len(XSD) :]
    if name == "normalizedString" and _NORMALIZED.search(lexical):
        return "an xsd:normalizedString cannot hold a tab or a line break"
    if name in ("token", "NMTOKEN", "Name", "NCName") and not _TOKEN.fullmatch(lexical):
        return f"an xsd:{name} has no leading, trailing or repeated blanks"
    pattern = _PATTERNS.get(name)
    if pattern is None:
        return None
    if not pattern.fullmatch(lexical):
        return f"not a valid xsd:{name} lexical form"
    if pattern.pattern == _INTEGER and len(lexical) > _LONGEST_DIGITS:
        return f"an xsd:{name} of more than {_LONGEST_DIGITS} digits"
    if name in _RANGES:
        low, high = _RANGES[name]
        value = int(lexical)
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{lexical} is out of the range of xsd:{name}"
    if name in ("date", "dateTime", "dateTimeStamp"):
        match = _DATE_PART.match(lexical)
        if match is not None:
            year, month, day = (int(part) for part in match.groups())
            if not _day_exists(year, month, day):
                return f"there is no day {lexical[: match.end()]}"
    if name == "dateTimeStamp" and not re.search(r"(Z|[+-][0-9]{2}:[0-9]{2})\Z", lexical):
        return "an xsd:dateTimeStamp needs a time zone"
    if name == "gMonthDay":
        match = _MONTH_DAY.match(lexical)
        if match is not None and not _day_exists(2000, int(match[1]), int(match[2])):
            return f"there is no day {lexical[: match.end()]}"
    return None
