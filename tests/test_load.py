"""The server under 20 concurrent clients mixing good and hostile requests (a short run).

``benchmarks/hostile_load.py`` is the full run (50 clients, 60 s) whose figures the notes
report; this test runs the same mix for 10 s and asserts what must hold at any speed: every
good answer is right, every hostile request is refused as it must be, no query connects
outside, and the memory of the server and its workers stays flat.
"""

from __future__ import annotations

import sys

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

import hostile_load  # noqa: E402


def test_twenty_clients_mixing_good_and_hostile_requests_for_ten_seconds() -> None:
    tally = hostile_load.main(["--clients", "20", "--seconds", "10"])
    assert tally.total > 0
    assert not tally.wrong, tally.report()
    kinds = {kind for kind in tally.sent if kind.startswith("hostile: ")}
    assert kinds == {f"hostile: {kind}" for kind in hostile_load.HOSTILE_KINDS}, tally.report()
    assert tally.sent["canned /api"] > 0 and tally.sent["/id/ page"] > 0
    assert tally.flat, tally.report()
