"""A folder's parse checks go to the killable worker several files per call (checks.content.
ParseAhead, Sandbox.call_each): the verdicts are those of one call per file, a file that ends
the worker (its deadline) is that file's defect, and the files after it are still checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import makers as mk
from tests.packs import COMPANY, build_pack
from validator import sandbox
from validator.api import client_values
from validator.checks import content
from validator.checks.leakage import Identity, LeakIndex
from validator.engine import Job, check_package
from validator.spec import load_spec

DEADLINE = 0.5  # the slow scan takes seconds to parse here; the other files a few ms


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A core pack with a defect found by parsing before and after a file that outlives the deadline."""
    folder = build_pack(tmp_path_factory.mktemp("ahead") / "acme")
    mk.make_pdf(folder / "01_年报承诺书.pdf", 5, "年报承诺书")  # pages 1-3 wanted: P104
    mk.make_slow_pdf(folder / f"02_营业执照_{COMPANY}.pdf")  # its page text outlives the deadline: P101 timeout
    mk.make_truncated_pdf(folder / "04_审计报告_2025.pdf")  # damaged: P101
    return folder


def _verdicts(folder: Path, **options: object) -> list[tuple[str, str, str]]:
    """A batch's check of the folder: another client's identity to look for, so page text is read."""
    values, _ = client_values(str(folder), None)
    index = LeakIndex([Identity("beta", "上海别家信息技术有限公司", mk.valid_uscc(12))])
    job = Job.for_client(load_spec("core"), values, index=index, file_timeout=DEADLINE)
    result = check_package(str(folder), job, **options)  # type: ignore[arg-type]
    return [(d.path, d.code, str(d.params.get("reason", ""))) for d in result.defects]


def test_files_parsed_together_get_the_verdicts_of_one_call_each(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    items = []
    each = sandbox.Sandbox.call_each

    def counted(self: sandbox.Sandbox, fn: object, todo: list, **kw: object) -> list:  # type: ignore[type-arg]
        items.append(len(todo))
        return each(self, fn, todo, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(sandbox.Sandbox, "call_each", counted)
    together = _verdicts(pack)
    assert items and items[0] > 3  # several files per call
    assert ("01_年报承诺书.pdf", "P104", "") in together
    assert (f"02_营业执照_{COMPANY}.pdf", "P101", "timeout") in together
    assert ("04_审计报告_2025.pdf", "P101", "damaged") in together  # after the killed worker: asked alone
    items.clear()
    one_by_one = _verdicts(pack, on_file=lambda done, total: None)  # progress shown: a call per file
    assert not items and one_by_one == together


def test_a_window_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder of more files than one call carries: every file checked, the calls each bounded."""
    monkeypatch.setattr(content, "AHEAD", 4)
    folder = build_pack(tmp_path / "acme")
    for i in range(6):
        mk.make_pdf(folder / f"12_职场证明_{i}.pdf", 1, "租赁合同")
    mk.make_pdf(folder / "12_职场证明_5.pdf", 9, "租赁合同")
    assert _verdicts(folder) == _verdicts(folder, on_file=lambda done, total: None)
