"""`validator batch` over the bundled example clients (fixtures/examples: a clean and a messy
folder per built-in spec): the same defects as `validator check` on each folder, plus only the
cross-client findings; the roll-up printed, XLSX / HTML / JSON written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.conftest import ROOT, run_cli
from validator.api import check_folder, client_spec_ref
from validator.batch.runner import BatchOptions, run_batch
from validator.model import Defect
from validator.spec import load_spec

EXAMPLES = ROOT / "fixtures" / "examples"


def _key(d: Defect) -> tuple[object, ...]:
    # Params other than the owning clients (which only a batch knows) must agree too.
    params = {k: v for k, v in d.params.items() if k not in ("clients", "other")}
    return (d.code, d.path, d.location, repr(sorted(params.items())))


def test_batch_finds_what_check_finds_plus_the_leak() -> None:
    outcome = run_batch(BatchOptions(root=str(EXAMPLES), executor="serial"))
    try:
        extra: dict[str, list[tuple[object, ...]]] = {}
        outcome_defects: tuple[Defect, ...] = ()
        missing: dict[str, list[tuple[object, ...]]] = {}
        assert len(outcome.spill.names()) == 14
        for name in outcome.spill.names():
            folder = str(EXAMPLES / name)
            ref = client_spec_ref(folder)
            assert ref is not None
            alone = check_folder(folder, load_spec(ref))
            batch = outcome.spill.get(name)
            got, want = {_key(d) for d in batch.defects}, {_key(d) for d in alone.defects}
            if name == "call-center-messy":
                outcome_defects = batch.defects
            if got - want:
                extra[name] = sorted(got - want, key=repr)
            if want - got:
                missing[name] = sorted(want - got, key=repr)
            assert batch.documents == alone.documents and batch.files == alone.files
    finally:
        outcome.spill.close()
    # call-center-messy's business licence is named after the icp client (杭州云栈…). `check` finds
    # it by shape (a company name that is not the client's own, L101); the batch finds the same
    # defect and also names the client it belongs to: same code, file and place, one more param.
    assert not missing and not extra
    [leak] = [d for d in outcome_defects if d.code == "L101"]
    assert leak.params["clients"] == ["icp-clean", "icp-messy"] and leak.params["other"] == "icp-clean、icp-messy"


def test_command_over_the_examples_writes_every_report(tmp_path: Path) -> None:
    html, xlsx, js = tmp_path / "r.html", tmp_path / "r.xlsx", tmp_path / "r.json"
    proc = run_cli("batch", str(EXAMPLES), "-q", "--lang", "en", "-f", "text",
                   "-f", f"html={html}", "-f", f"xlsx={xlsx}", "-f", f"json={js}")  # fmt: skip
    assert proc.returncode == 1, proc.stderr  # the messy folders have errors
    assert "14 clients: 7 ready, 7 not ready" in proc.stdout
    report = json.loads(js.read_text(encoding="utf-8"))
    assert [r["client"] for r in report["rollup"] if r["ready"]] == [
        f"{s}-clean" for s in ("call-center", "core", "edi", "icp", "idc", "isp", "sp")
    ]
    page = html.read_text(encoding="utf-8")
    assert page.count('id="pkg-') == 14 and "call-center-messy" in page
    with zipfile.ZipFile(xlsx) as z:
        assert any(n.startswith("xl/worksheets/") for n in z.namelist())
