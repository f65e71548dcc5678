"""Bounds on what one query or one inference may use: time, answer size, closure size.

pyoxigraph cannot cancel a running query and a Python thread cannot be stopped, so a time
limit on a query is kept by running it in a child process (:func:`run_bounded`) that is
killed when the limit passes. The caller gets :class:`QueryTimeoutError`, and the child
is gone, with whatever memory it held.

owlrl is pure Python, so its bounds are checked as it goes (:func:`bounded_owlrl`): it
stops with :class:`InferenceLimitError` as soon as the closure passes a number of triples
or a number of seconds. :func:`check_same_as` refuses, before any reasoning, an input whose
``owl:sameAs`` cliques alone would need more triples than that (``n`` resources all the
same as each other make ``n * n`` sameAs triples, and copy every fact ``n`` times).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from multiprocessing.connection import Connection

__all__ = [
    "DEFAULT_MAX_INFERRED_TRIPLES",
    "DEFAULT_INFERENCE_SECONDS",
    "InferenceLimitError",
    "QueryTimeoutError",
    "bounded_owlrl",
    "check_same_as",
    "run_bounded",
]

DEFAULT_MAX_INFERRED_TRIPLES = 2_000_000
"""The most triples an OWL-RL closure may hold (the shipped graph's has about 30,000)."""
DEFAULT_INFERENCE_SECONDS = 600.0
"""The longest an OWL-RL closure may take (the shipped graph's takes a few seconds)."""

_OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
_T = TypeVar("_T")


class QueryTimeoutError(TimeoutError):
    """A query ran past its time limit and was stopped (its process was killed)."""


class InferenceLimitError(ValueError):
    """OWL-RL inference was refused or stopped: its closure would be too large or too slow."""


# --- time limits: a child process, killed at the limit ------------------------------------


def _child(connection: Connection, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Run ``function(*args)`` and send back ("ok", value) or ("error", exception)."""
    try:
        reply: tuple[str, Any] = ("ok", function(*args))
    except BaseException as error:  # noqa: BLE001 - every error goes back to the parent
        reply = ("error", error)
    try:
        connection.send(reply)
    except Exception as error:  # noqa: BLE001 - e.g. an answer that cannot be pickled
        connection.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
    connection.close()


def run_bounded(
    function: Callable[..., _T], args: tuple[Any, ...], timeout: float, what: str = "the query"
) -> _T:
    """``function(*args)`` run in a forked child process that is killed after ``timeout`` s.

    The child is a fork, so it shares what the caller has already loaded (the query store)
    without reading it again; its answer comes back pickled. An exception it raises is
    raised here.

    Raises:
        QueryTimeoutError: the time limit passed; the child was killed.
        ValueError: ``timeout`` is not positive.
        RuntimeError: this platform cannot fork, or the child died without an answer.
    """
    import multiprocessing  # here: 30 ms to import, and only a time limit needs it

    if not timeout > 0:
        raise ValueError(f"a time limit must be a positive number of seconds, got {timeout!r}")
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        raise RuntimeError("a time limit needs processes that can fork (Linux, macOS)")
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(sender, function, args), daemon=True, name="egov-kg-bounded"
    )
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryTimeoutError(f"{what} was stopped after {timeout:g} s, its time limit")
        try:
            status, value = receiver.recv()
        except (EOFError, OSError):
            raise RuntimeError(
                f"{what} stopped its process without an answer (it may have run out of memory)"
            ) from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(timeout=10)
        with contextlib.suppress(ValueError):
            process.close()
    if status == "error":
        raise value
    return value  # type: ignore[no-any-return]


# --- inference bounds ---------------------------------------------------------------------


def check_same_as(
    triples: Iterable[tuple[Any, Any, Any]], max_triples: int = DEFAULT_MAX_INFERRED_TRIPLES
) -> None:
    """Refuse an input whose ``owl:sameAs`` cliques alone exceed ``max_triples``.

    Resources joined by ``owl:sameAs`` (in either direction, transitively) form a clique
    of ``n`` members, whose closure has ``n * n`` sameAs triples.

    Raises:
        InferenceLimitError: naming the largest clique and the triples it would need.
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for subject, predicate, obj in triples:
        if str(predicate) == _OWL_SAME_AS:
            a, b = root(str(subject)), root(str(obj))
            if a != b:
                parent[max(a, b)] = min(a, b)
    sizes: dict[str, int] = {}
    for node in list(parent):
        sizes[root(node)] = sizes.get(root(node), 0) + 1
    needed = sum(size * size for size in sizes.values())
    if needed > max_triples:
        largest = max(sizes, key=lambda node: (sizes[node], node))
        raise InferenceLimitError(
            f"owl:sameAs joins {sizes[largest]} resources (with <{largest}>) into one; "
            f"their closure alone would need {needed:,} triples, more than the limit of "
            f"{max_triples:,}; inference was not run"
        )


def bounded_owlrl(
    max_triples: int = DEFAULT_MAX_INFERRED_TRIPLES, seconds: float = DEFAULT_INFERENCE_SECONDS
) -> Any:
    """The OWL 2 RL semantics of owlrl, stopping past ``max_triples`` triples or ``seconds``.

    Pass the result where ``owlrl.OWLRL_Semantics`` goes:
    ``owlrl.DeductiveClosure(bounded_owlrl()).expand(graph)``.
    """
    import owlrl

    deadline = time.monotonic() + seconds

    class BoundedSemantics(owlrl.OWLRL_Semantics):  # type: ignore[misc]
        """OWL-RL semantics with a size and a time bound, checked as triples are derived.

        Some of owlrl's rules swallow exceptions, so a bound that is passed is remembered
        and raised again from :meth:`rules`, which owlrl's main loop calls directly.
        """

        _checks = 0
        _base = 0
        _passed: str | None = None

        def _stop(self) -> None:
            if self._passed is None and time.monotonic() > deadline:
                self._passed = (
                    f"OWL-RL inference was stopped after {seconds:g} s, its time limit, "
                    f"with {self._base + len(self.added_triples):,} triples"
                )
            if self._passed is not None:
                raise InferenceLimitError(self._passed)

        def empty_stored_triples(self) -> None:
            # At the start of each cycle: the graph's size, counted once (len() walks it).
            graph = getattr(self, "graph", None)
            self._base = 0 if graph is None else len(graph)
            super().empty_stored_triples()

        def store_triple(self, t: Any) -> None:
            super().store_triple(t)
            if self._passed is None and self._base + len(self.added_triples) > max_triples:
                self._passed = (
                    f"OWL-RL inference was stopped: the closure passed {max_triples:,} "
                    "triples, its limit (owl:sameAs cliques and transitive chains grow with "
                    "the square of their size)"
                )
                raise InferenceLimitError(self._passed)

        def rules(self, t: Any, cycle_num: int) -> None:
            self._checks += 1
            if self._passed is not None or self._checks % 256 == 0:
                self._stop()
            super().rules(t, cycle_num)

    return BoundedSemantics
