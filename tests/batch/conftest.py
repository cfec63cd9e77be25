"""Batch roots built from real generated client folders (fixtures.client_packs)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from fixtures.client_packs import make_client_pack
from fixtures.makers import valid_uscc

ACME = ("acme", "北京示例科技有限公司", valid_uscc(11))
BETA = ("beta", "上海别家信息技术有限公司", valid_uscc(12))
GAMMA = ("gamma", "广州第三通信有限公司", valid_uscc(13))


@pytest.fixture(scope="session")
def clean_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One defect-free client folder (acme), built once and copied by the tests that need it."""
    return make_client_pack(tmp_path_factory.mktemp("pack") / ACME[0], ACME[1], ACME[2])


@pytest.fixture(scope="session")
def three_clients(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """acme is clean; beta's audit report names acme (PDF text); gamma's roster was copied from
    beta's (cells) and gamma lacks its shareholding document."""
    root = tmp_path_factory.mktemp("three")
    make_client_pack(root / ACME[0], ACME[1], ACME[2])
    make_client_pack(root / BETA[0], BETA[1], BETA[2], pdf_company=ACME[1], seed=2)
    make_client_pack(root / GAMMA[0], GAMMA[1], GAMMA[2], roster_company=BETA[1], seed=3, skip=["08_股权结构.pdf"])
    return root


def copy_root(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def batch_json(root: Path, executor: str = "serial", **options: Any) -> dict[str, Any]:
    """Run a batch through the library and return its JSON report, parsed."""
    return json.loads(batch_json_text(root, executor, **options))


def batch_json_text(root: Path, executor: str = "serial", **options: Any) -> str:
    from validator.batch.json_report import write_json
    from validator.batch.runner import BatchOptions, run_batch

    outcome = run_batch(BatchOptions(root=str(root), executor=executor, lang="en", **options))
    try:
        out = io.StringIO()
        write_json(outcome, out)
        return out.getvalue()
    finally:
        outcome.spill.close()


def package(report: dict[str, Any], client: str) -> dict[str, Any]:
    return next(p for p in report["packages"] if p["client"] == client)


def codes(report: dict[str, Any], client: str) -> list[str]:
    return sorted(d["code"] for d in package(report, client)["defects"])
