"""The linters, the type checker and the architecture contracts run with the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = [
    "doorstep",
    "models",
    "bot",
    "participation",
    "channels",
    "webhooks",
    "scheduler",
    "staff",
]
TOOLS = {
    "ruff": [sys.executable, "-m", "ruff", "check", *PACKAGES, "tests"],
    "mypy": [sys.executable, "-m", "mypy", *PACKAGES],
    "import-linter": [str(Path(sys.executable).with_name("lint-imports"))],
}


@pytest.mark.tooling
@pytest.mark.parametrize("tool", list(TOOLS))
def test_the_code_passes(tool: str) -> None:
    result = subprocess.run(TOOLS[tool], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
