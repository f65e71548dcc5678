"""Canned SPARQL queries: files with a grlc header, and typed, bound parameters.

Each ``queries/NAME.rq`` starts with grlc decorators (``#+ summary:``, ``#+ description:``,
``#+ tags:``) so that grlc can serve the same folder. Its parameters are variables named
after the grlc/BASIL convention: ``?_name`` is required, ``?__name`` optional, and a suffix
gives the type: ``?_body_iri`` a resource, ``?_start_xsd_date`` a date, ``?_count_integer``
an integer, a two-letter suffix a language-tagged literal, no suffix a search text.

Values are bound as RDF terms (in Oxigraph written, escaped, in place of their variables;
``initBindings`` in rdflib; see :mod:`egov_kg.engine`), never as the user's raw text. A
resource may be named by its IRI, a prefixed name, or any of its labels in Japanese or
English, compared after Unicode NFKC normalisation and case folding, so full-width and
half-width input both match. A search text is normalised the same way.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from egov_kg.iris import PREFIX_IRIS, compact
from egov_kg.resources import queries_dir
from egov_kg.terms import Term

if TYPE_CHECKING:  # pragma: no cover
    from rdflib.plugins.sparql.sparql import Query

__all__ = [
    "CannedQuery",
    "LABEL_PROPERTIES",
    "Label",
    "LabelIndex",
    "Parameter",
    "ParameterError",
    "QueryError",
    "UnknownQueryError",
    "load_queries",
    "search_key",
]

NEEDS_INFERENCE_TAG = "needs-inference"
_PARAMETER = re.compile(r"\?(__?)([A-Za-z][A-Za-z0-9]*)(?:_([A-Za-z0-9]+(?:_[A-Za-z0-9]+)?))?\b")
_DECORATOR = re.compile(r"^#\+\s*([A-Za-z_]+):\s*(.*)$")
_LIST_ITEM = re.compile(r"^#\+\s+-\s*(.*)$")
_BOUND_PARAMETER = re.compile(r"BOUND\s*\(\s*\?_\w*", re.IGNORECASE)
_XSD = PREFIX_IRIS["xsd"]
_PREF_LABEL = PREFIX_IRIS["skos"] + "prefLabel"
LABEL_PROPERTIES: tuple[str, ...] = (
    _PREF_LABEL,
    PREFIX_IRIS["skos"] + "altLabel",
    PREFIX_IRIS["rdfs"] + "label",
    PREFIX_IRIS["egov"] + "iso3166Alpha2",
)
"""The properties whose values name a resource, for parameters and the ``search`` query."""


class QueryError(ValueError):
    """A canned query cannot be run as asked; the message says why, for a person."""


class UnknownQueryError(QueryError):
    """No canned query has that name."""


class ParameterError(QueryError):
    """A parameter is missing, unknown, malformed, ambiguous or names nothing."""


def search_key(text: str) -> str:
    """The form labels and search texts are compared in: NFKC, case-folded, trimmed.

    >>> search_key("ＣＩＯ連絡会議") == search_key("cio連絡会議")
    True
    """
    return unicodedata.normalize("NFKC", text).casefold().strip()


@dataclass(frozen=True)
class Parameter:
    """A parameter of a canned query, read from its variable name.

    Attributes:
        name: the name users pass (``body``).
        variable: the SPARQL variable without ``?`` (``_body_iri``).
        kind: ``iri``, ``date``, ``integer``, ``text``, ``lang`` or ``datatype``.
        required: False for ``?__name`` variables.
        extra: the language tag (``lang``) or datatype IRI (``datatype``).
    """

    name: str
    variable: str
    kind: str
    required: bool
    extra: str | None = None

    @property
    def expects(self) -> str:
        """What a value must look like, for help texts and error messages."""
        return {
            "iri": "a resource: IRI, prefixed name (egov-org:cio-council) or label",
            "date": "a date as YYYY-MM-DD",
            "integer": "an integer",
            "text": "a text",
            "lang": f"a text in language '{self.extra}'",
        }.get(self.kind, f"a literal of datatype {self.extra}")


def _parameter(prefix: str, name: str, suffix: str | None) -> Parameter:
    variable = f"{prefix}{name}" + (f"_{suffix}" if suffix else "")
    required = prefix == "_"
    if suffix is None:
        return Parameter(name, variable, "text", required)
    if suffix == "iri":
        return Parameter(name, variable, "iri", required)
    if suffix in ("integer", "number"):
        return Parameter(name, variable, "integer", required)
    if suffix == "xsd_date":
        return Parameter(name, variable, "date", required)
    if re.fullmatch(r"[a-z]{2}", suffix):
        return Parameter(name, variable, "lang", required, suffix)
    if "_" in suffix:
        prefix_name, local = suffix.split("_", 1)
        if prefix_name == "xsd":
            return Parameter(name, variable, "datatype", required, _XSD + local)
    raise QueryError(f"parameter ?{variable}: unknown type suffix {suffix!r}")


@dataclass(frozen=True)
class CannedQuery:
    """One canned query: its name, grlc header and SPARQL text."""

    name: str
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str = field(repr=False)
    path: Path | None = field(default=None, repr=False, compare=False)

    @property
    def needs_inference(self) -> bool:
        """Whether the header says the query needs the OWL-RL closure."""
        return NEEDS_INFERENCE_TAG in self.tags

    @cached_property
    def prepared(self) -> Query:
        """The query parsed once by rdflib, to run with different bindings."""
        from rdflib.plugins.sparql import prepareQuery

        return prepareQuery(self.text)

    @classmethod
    def from_text(cls, name: str, text: str, path: Path | None = None) -> CannedQuery:
        """Read a query file's grlc header and its parameters."""
        decorators: dict[str, str] = {}
        lists: dict[str, list[str]] = {}
        current: str | None = None
        for line in text.splitlines():
            if not line.startswith("#+"):
                if line.strip() and not line.startswith("#"):
                    break
                continue
            item = _LIST_ITEM.match(line)
            if item and current is not None:
                lists.setdefault(current, []).append(item.group(1).strip())
                continue
            decorator = _DECORATOR.match(line)
            if decorator:
                current = decorator.group(1)
                decorators[current] = decorator.group(2).strip()
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        found: dict[str, Parameter] = {}
        for match in _PARAMETER.finditer(body):
            parameter = _parameter(*match.groups())
            found.setdefault(parameter.name, parameter)
        if "summary" not in decorators:
            raise QueryError(f"{path or name}: the header has no '#+ summary:' line")
        bound = _BOUND_PARAMETER.search(body)
        if bound:
            raise QueryError(
                f"{path or name}: {bound.group()}...) tests a parameter, but parameters are"
                " bound by substitution (SPARQL SEP-0007), under which BOUND is false; for an"
                " optional parameter write FILTER (COALESCE(?x = ?__name, true)) instead"
            )
        return cls(
            name=name,
            summary=decorators["summary"],
            description=decorators.get("description", ""),
            tags=tuple(lists.get("tags", [])),
            parameters=tuple(sorted(found.values(), key=lambda p: not p.required)),  # as written
            text=text,
            path=path,
        )

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise ParameterError(f"query '{self.name}' has no parameter '{name}' (parameters: {known})")

    def resolves(self, values: Mapping[str, Any]) -> bool:
        """Whether ``values`` name a resource, which only a :class:`LabelIndex` resolves."""
        return any(
            p.kind == "iri" and values.get(p.name) not in (None, "") for p in self.parameters
        )

    def bindings(self, values: Mapping[str, Any], index: LabelIndex) -> dict[str, Term]:
        """Turn user values into RDF terms keyed by variable; check required ones are given."""
        for name in values:
            self.parameter(name)
        bound: dict[str, Term] = {}
        for parameter in self.parameters:
            value = values.get(parameter.name)
            if value is None or value == "":
                if parameter.required:
                    raise ParameterError(
                        f"query '{self.name}' needs '{parameter.name}': {parameter.expects}"
                    )
                continue
            bound[parameter.variable] = _term(parameter, value, index)
        return bound


MAX_VALUE_LENGTH = 1000
"""The longest parameter value accepted, in characters (no label comes close)."""
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _check_text(name: str, value: str) -> None:
    """Refuse a value that is too long, or holds control characters or lone surrogates."""
    if len(value) > MAX_VALUE_LENGTH:
        raise ParameterError(
            f"{name}: the value has {len(value)} characters, more than {MAX_VALUE_LENGTH}"
        )
    bad = _NOT_TEXT.search(value)
    if bad:
        what = "a lone surrogate" if bad.group() >= "\ud800" else "a control character"
        raise ParameterError(
            f"{name}: the value holds {what} (U+{ord(bad.group()):04X}) at character "
            f"{bad.start() + 1}; only text is accepted"
        )


def _term(parameter: Parameter, value: Any, index: LabelIndex) -> Term:
    """The RDF term for one parameter value."""
    name = parameter.name
    if isinstance(value, str):
        _check_text(name, value)
    if parameter.kind == "iri":
        if isinstance(value, ox.NamedNode):
            value = value.value
        return index.resolve(str(value), parameter=name)
    if parameter.kind == "date":
        if isinstance(value, date):
            return ox.Literal(value.isoformat(), datatype=ox.NamedNode(_XSD + "date"))
        text = str(value).strip()
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            date.fromisoformat(text)
        except ValueError:
            raise ParameterError(
                f"{name}: expected a date as YYYY-MM-DD (e.g. 2003-07-17), got {value!r}"
            ) from None
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + "date"))
    if parameter.kind == "integer":
        if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d+", str(value).strip()):
            raise ParameterError(f"{name}: expected an integer, got {value!r}")
        return ox.Literal(str(int(str(value).strip())), datatype=ox.NamedNode(_XSD + "integer"))
    if parameter.kind == "lang":
        return ox.Literal(str(value), language=parameter.extra)
    if parameter.kind == "datatype":
        return ox.Literal(str(value), datatype=ox.NamedNode(str(parameter.extra)))
    key = search_key(str(value))
    if not key:
        raise ParameterError(f"{name}: the text is blank; {parameter.expects} is needed")
    return ox.Literal(key)


@dataclass(frozen=True)
class Label:
    """One label of a resource: what :class:`LabelIndex` is built from."""

    resource: str
    property: str
    text: str
    language: str | None = None


class LabelIndex:
    """Finds the resource a user means by its IRI, prefixed name or label.

    Args:
        labels: every label of every resource (values of :data:`LABEL_PROPERTIES`).
        exists: whether the graph mentions an IRI, for parameters given as IRIs.
        prefixes: the prefix map prefixed names are expanded with.
    """

    def __init__(
        self,
        labels: Iterable[Label],
        exists: Callable[[str], bool],
        prefixes: Mapping[str, str] = PREFIX_IRIS,
    ) -> None:
        self._exists = exists
        self._prefixes = dict(prefixes)
        self._by_key: dict[str, set[str]] = {}
        self._spelling: dict[str, str] = {}
        self._english: dict[str, list[str]] = {}
        for label in labels:
            key = search_key(label.text)
            self._by_key.setdefault(key, set()).add(label.resource)
            self._spelling.setdefault(key, label.text)
            if label.property == _PREF_LABEL and label.language == "en":
                self._english.setdefault(label.resource, []).append(label.text)

    def search_keys(self) -> Iterable[tuple[str, str]]:
        """Every (resource IRI, search key) pair: what ``egov:searchKey`` triples state."""
        for key, resources in sorted(self._by_key.items()):
            for resource in sorted(resources):
                yield resource, key

    def resolve(self, value: str, *, parameter: str = "resource") -> ox.NamedNode:
        """The one resource ``value`` names.

        Raises:
            ParameterError: the value names no resource (with the closest labels) or
                several (with the candidates).
        """
        text = value.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        if re.match(r"^[a-z][a-z0-9+.-]*://", text):
            try:
                ox.NamedNode(text)
            except ValueError as error:
                raise ParameterError(f"{parameter}: <{text}> is not an IRI ({error})") from None
            if self._exists(text):
                return ox.NamedNode(text)
            raise ParameterError(f"{parameter}: no resource <{text}> in the graph")
        curie = re.fullmatch(r"([A-Za-z][\w.-]*):([\w.-]*)", text)
        if curie and curie.group(1) in self._prefixes:
            iri = self._prefixes[curie.group(1)] + curie.group(2)
            if self._exists(iri):
                return ox.NamedNode(iri)
            raise ParameterError(f"{parameter}: no resource {text} in the graph")
        key = search_key(text)
        found = self._by_key.get(key, set())
        if len(found) == 1:
            return ox.NamedNode(next(iter(found)))
        if found:
            names = ", ".join(sorted(self._name(iri) for iri in found))
            raise ParameterError(f"{parameter}: '{value}' is ambiguous; it names {names}")
        close = difflib.get_close_matches(key, sorted(self._by_key), n=5, cutoff=0.5)
        hint = (
            "; did you mean " + ", ".join(f"'{self._spelling[k]}'" for k in close) + "?"
            if close
            else ""
        )
        raise ParameterError(f"{parameter}: nothing is labelled '{value}'{hint}")

    def _name(self, iri: str) -> str:
        labels = sorted(self._english.get(iri, []))
        curie = compact(iri, self._prefixes)
        return f"{curie} ({labels[0]})" if labels else curie


def load_queries(directory: Path | None = None) -> dict[str, CannedQuery]:
    """Read every ``*.rq`` file of ``directory`` (default: the shipped ``queries/``)."""
    folder = directory if directory is not None else queries_dir()
    queries: dict[str, CannedQuery] = {}
    for path in sorted(folder.glob("*.rq")):
        queries[path.stem] = CannedQuery.from_text(
            path.stem, path.read_text(encoding="utf-8"), path
        )
    return queries
