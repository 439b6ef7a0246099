"""Warnings that announce the next major version of a dependency are errors in the tests
when Verval's own code causes them (pyproject.toml, [tool.pytest.ini_options])."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from PIL import Image

from media.images import difference_hash

ROOT = Path(__file__).resolve().parents[2]


def test_a_deprecation_raised_from_vervals_code_fails_the_test() -> None:
    import api.bounds as verval_module

    with pytest.raises(DeprecationWarning):
        # As if api/bounds.py itself had called something deprecated.
        warnings.warn_explicit(
            "going away", DeprecationWarning, verval_module.__file__, 1, module="api.bounds"
        )


def test_the_app_is_built_without_any_litestar_deprecation() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-W",
            "error::DeprecationWarning",
            "-c",
            "from api.app import create_app; create_app()",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_perceptual_hash_uses_no_deprecated_pillow_call() -> None:
    image = Image.new("RGB", (64, 48), (120, 90, 30))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(difference_hash(image)) == 16
