"""How a job worker finds out whether its session has a CPU share to lower."""

from __future__ import annotations

from api.jobs.worker import autogroup_in_effect


def test_autogroup_counts_only_when_the_kernel_shows_one(tmp_path):
    # An empty file (the default autogroup, where the CI machines run the tests) or a
    # missing one (no autogroup support) means there is no session share to lower.
    shown = tmp_path / "autogroup"
    shown.write_text("/autogroup-85 nice 0\n")
    empty = tmp_path / "empty"
    empty.write_text("")
    assert autogroup_in_effect(shown)
    assert not autogroup_in_effect(empty)
    assert not autogroup_in_effect(tmp_path / "missing")
