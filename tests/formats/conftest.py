"""Fixtures for the report tests: real folders checked once per session."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from tests.formats import report_folders as rf
from validator.model import Defect, PackageResult, Report

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="session")
def golden_packages(tmp_path_factory: pytest.TempPathFactory) -> tuple[PackageResult, PackageResult]:
    """Two folders (one not ready, one ready) checked against core, at their real paths."""
    return rf.golden_packages(tmp_path_factory.mktemp("golden"))


@pytest.fixture(scope="session")
def golden_zh(golden_packages: tuple[PackageResult, PackageResult]) -> Report:
    """The golden folders' report with the paths and the time pinned."""
    return rf.golden_report(Path(), "zh", golden_packages)


@pytest.fixture(scope="session")
def golden_reports(golden_zh: Report) -> dict[str, Report]:
    return {"zh": golden_zh, "en": dataclasses.replace(golden_zh, lang="en")}


@pytest.fixture(scope="session", params=["zh", "en"])
def report(request: pytest.FixtureRequest, golden_reports: dict[str, Report]) -> Report:
    return golden_reports[request.param]


@pytest.fixture(scope="session")
def real_defects(tmp_path_factory: pytest.TempPathFactory, golden_zh: Report) -> list[Defect]:
    """Defects the real checks emit over folders built to trip as many codes as they can."""
    base = tmp_path_factory.mktemp("wide")
    return rf.wide_defects(base / "wide") + rf.batch_defects(base / "batch") + list(golden_zh.defects)


def check_golden(name: str, body: str | bytes) -> None:
    """Compare with tests/formats/golden/NAME; UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    data = body.encode("utf-8") if isinstance(body, str) else body
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.exists(), f"{path} is missing: run UPDATE_GOLDEN=1 pytest tests/formats"
    expected = path.read_bytes()
    if data != expected:
        # Show a readable difference for text; bytes would only say "differs".
        if isinstance(body, str):
            assert body == expected.decode("utf-8"), f"{name} differs (UPDATE_GOLDEN=1 to accept)"
        raise AssertionError(f"{name} differs (UPDATE_GOLDEN=1 to accept)")
