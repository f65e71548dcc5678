"""Query results as Python values, and as SPARQL 1.1 JSON, CSV and TSV results.

A row is a dict from variable name to a Python value that keeps what the RDF term says: a
language-tagged label stays a :class:`LangString` (a ``str`` that knows its language), a
month stays a :class:`YearMonth` and a year a :class:`Year` (never silently the first day),
an IRI stays an :class:`rdflib.URIRef`.

A result holds pyoxigraph terms; its JSON, CSV, TSV and tables are written from them
without importing rdflib, which :attr:`QueryResult.rows` imports for its IRIs.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from egov_kg.terms import XSD_STRING, Term, to_oxigraph, to_rdflib

if TYPE_CHECKING:  # pragma: no cover
    import pandas  # type: ignore[import-untyped]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = frozenset(
    _XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)

__all__ = ["LangString", "QueryResult", "Year", "YearMonth", "to_python"]


class LangString(str):
    """A string with its language tag, as ``skos:prefLabel "総務省"@ja`` reads.

    >>> label = LangString("総務省", "ja")
    >>> label, label.lang
    ('総務省', 'ja')
    """

    lang: str

    def __new__(cls, value: str, lang: str) -> LangString:
        text = super().__new__(cls, value)
        text.lang = lang
        return text

    def __repr__(self) -> str:
        return f"{str.__repr__(self)}@{self.lang}"


@dataclass(frozen=True, order=True)
class YearMonth:
    """A date stated to the month (``xsd:gYearMonth``).

    >>> str(YearMonth(2000, 11))
    '2000-11'
    """

    year: int
    month: int
    precision = "month"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, order=True)
class Year:
    """A date stated to the year (``xsd:gYear``).

    >>> str(Year(2004))
    '2004'
    """

    year: int
    precision = "year"

    def __str__(self) -> str:
        return f"{self.year:04d}"


def to_python(term: Any) -> Any:
    """Convert an RDF term to the Python value a row holds (None for an unbound variable).

    IRIs and blank nodes become rdflib terms (``URIRef``, ``BNode``); literals of the
    common XSD types become ``int``, ``Decimal``, ``float``, ``bool``, ``date`` or
    ``datetime``; a literal whose lexical form is not valid for its type stays a ``str``.

    >>> to_python(ox.Literal("2000-11", datatype=ox.NamedNode(_XSD + "gYearMonth")))
    YearMonth(year=2000, month=11)
    """
    if term is None:
        return None
    term = to_oxigraph(term)
    if not isinstance(term, ox.Literal):
        return to_rdflib(term)
    if term.language:
        return LangString(term.value, term.language)
    datatype = term.datatype.value
    text = term.value
    try:
        return _typed_value(datatype, text)
    except (ValueError, ArithmeticError):
        return text


def _typed_value(datatype: str, text: str) -> Any:
    if datatype == XSD_STRING:
        return text
    if datatype == _XSD + "gYearMonth":
        year, month = text.split("-")[-2:]
        return YearMonth(int(year), int(month))
    if datatype == _XSD + "gYear":
        return Year(int(text))
    if datatype in _INTEGERS:
        return int(text)
    if datatype == _XSD + "decimal":
        return Decimal(text)
    if datatype in (_XSD + "double", _XSD + "float"):
        return float(text)
    if datatype == _XSD + "boolean":
        if text not in ("true", "false", "1", "0"):
            raise ValueError(text)
        return text in ("true", "1")
    if datatype == _XSD + "date":
        return date.fromisoformat(text)
    if datatype == _XSD + "dateTime":
        return datetime.fromisoformat(text)
    return text


@dataclass(frozen=True)
class QueryResult:
    """The answer of a SELECT query: its variables in order, and its rows of RDF terms.

    Iterating gives the rows as dicts of Python values (see :func:`to_python`).
    """

    variables: tuple[str, ...]
    terms: tuple[tuple[Term | None, ...], ...]
    truncated: bool = False

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows as dicts of Python values."""
        return [
            {name: to_python(term) for name, term in zip(self.variables, row, strict=True)}
            for row in self.terms
        ]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.terms)

    def column(self, name: str) -> list[Any]:
        """The Python values of one column."""
        index = self.variables.index(name)
        return [to_python(row[index]) for row in self.terms]

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON (keys in a fixed order, so output is stable)."""
        bindings = []
        for row in self.terms:
            binding: dict[str, Mapping[str, str]] = {}
            for name, term in zip(self.variables, row, strict=True):
                if term is not None:
                    binding[name] = _json_term(term)
            bindings.append(binding)
        document = {"head": {"vars": list(self.variables)}, "results": {"bindings": bindings}}
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

    def to_csv(self) -> str:
        """SPARQL 1.1 Query Results CSV: plain lexical values, CRLF line ends."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.variables)
        for row in self.terms:
            writer.writerow(["" if term is None else term.value for term in row])
        return out.getvalue()

    def to_tsv(self) -> str:
        """SPARQL 1.1 Query Results TSV: terms in Turtle/N-Triples syntax."""
        lines = ["\t".join(f"?{name}" for name in self.variables)]
        lines.extend(
            "\t".join("" if term is None else _tsv_term(term) for term in row) for row in self.terms
        )
        return "\n".join(lines) + "\n"

    def to_dataframe(self) -> pandas.DataFrame:
        """The rows as a pandas DataFrame (pandas is an optional dependency)."""
        try:
            import pandas
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError(
                "to_dataframe() needs pandas: pip install 'egov-kg[pandas]'"
            ) from error
        return pandas.DataFrame(self.rows, columns=list(self.variables))

    def serialize(self, fmt: str) -> str:
        """Serialize as ``json``, ``csv`` or ``tsv``."""
        writers = {"json": self.to_json, "csv": self.to_csv, "tsv": self.to_tsv}
        if fmt not in writers:
            raise ValueError(f"unknown result format {fmt!r}; expected one of {sorted(writers)}")
        return writers[fmt]()


def _json_term(term: Term) -> Mapping[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if term.language:
        return {"type": "literal", "value": term.value, "xml:lang": term.language}
    if term.datatype.value != XSD_STRING:
        return {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    return {"type": "literal", "value": term.value}


def _tsv_term(term: Term) -> str:
    return str(term)  # N-Triples syntax, xsd:string literals written without their type
