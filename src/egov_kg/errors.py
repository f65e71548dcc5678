"""Exceptions raised by egov-kg."""

from __future__ import annotations


class DataError(ValueError):
    """A Turtle file of the knowledge graph is malformed or inconsistent.

    The message reads ``"{path}:{line}:{column}: {what is wrong}"`` (line and column 1-based)
    whenever the position is known, so editors and CI logs can jump to it.
    """
