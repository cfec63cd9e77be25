"""A plain (non-editable) install ships every subpackage and the built-in specs."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT


def test_every_subpackage_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "validator").rglob("__init__.py")}
    assert found | {"validator.specs"} == listed


@pytest.mark.slow
def test_wheel_carries_the_specs(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    import zipfile

    [wheel] = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    specs = {Path(n).name for n in names if n.startswith("validator/specs/")}
    assert {"core.yaml", "call-center.yaml"} <= specs
    assert {p.name for p in (ROOT / "specs").glob("*.yaml")} <= specs
    assert "validator/cli.py" in names and "validator/py.typed" in names
