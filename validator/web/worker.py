"""One check for the web page, in its own process: ``python -m validator.web.worker REQUEST.json``.

A process of its own, as `validator check` is: the checks run in its main thread, so the
time and memory bounds of :mod:`validator.readers.bounded` hold as on the command line, and a
file that crashes a reader takes down this worker, not the server. It reads the materials
where they are and writes only into the job folder the server gave it (``report.html``,
``report.xlsx``, ``report.json``). A zip of one pack is checked in place, as
`validator check PACK.zip` checks it; a zip of several clients' folders is written out for
`batch` beside the job folder (:mod:`validator.web.dropped`) and removed afterwards.
Progress goes to stdout, one JSON object a line:

    {"event": "start", "mode": "folder"|"batch", "total": N, "unit": "files"|"clients"}
    {"event": "progress", "done": K}
    {"event": "done", "ok": true, "errors": E, "warnings": W, "info": I, "files": F, "clients": C}
    {"event": "error", "message": "..."}
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

from validator.web.dropped import RefusedZip, unpack_clients

OUTPUTS = ("html", "xlsx", "json")


def emit(event: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def choose_mode(path: str, asked: str) -> str:
    """``folder`` (one client's pack) or ``batch`` (an agency root: a folder of client folders),
    for a folder or a zip of one."""
    if asked in ("folder", "batch"):
        return asked
    from validator.batch.clients import REGISTRY_NAMES, client_folders
    from validator.discovery import CLIENT_FILE
    from validator.packsource import is_zip_package, pack_files

    if is_zip_package(path):
        files = set(pack_files(path)[1])
        subs = sorted({f.split("/", 1)[0] for f in files if "/" in f and not f.startswith((".", "_"))})

        def has(rel: str) -> bool:
            return rel in files
    else:
        subs = client_folders(path)

        def has(rel: str) -> bool:
            return os.path.isfile(os.path.join(path, rel))
    if has(CLIENT_FILE):
        return "folder"
    if any(has(n) for n in REGISTRY_NAMES):
        return "batch"
    if subs and all(has(f"{s}/{CLIENT_FILE}") for s in subs):
        return "batch"
    return "folder"


class _Counter:
    """An OutcomeProvider that computes every file itself and reports how many are done."""

    def __init__(self, tick: Callable[[int], None]) -> None:
        from validator.checks.documents import file_digest

        self.digest_of: Callable[[str], str | None] = file_digest
        self._tick = tick
        self._done = 0

    def start(self, entries: list[Any]) -> None:
        emit("start", mode="folder", total=len(entries), unit="files")

    def outcome(self, entry: Any, compute: Callable[[Any], Any]) -> Any:
        result = compute(entry)
        self._done += 1
        self._tick(self._done)
        return result

    def finish(self) -> None:
        pass


def _throttled() -> Callable[[int], None]:
    last = [0.0]

    def tick(done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.1:
            last[0] = now
            emit("progress", done=done)

    return tick


class Relabel:
    """A dropped zip is shown by the name it was dropped as (``材料.zip``), and a client folder
    written out of it as ``材料.zip#folder`` (siegfried's notation), never by a temporary path
    that is gone once the check ends."""

    def __init__(self, temp: str | None = None, name: str = "") -> None:
        self.temp = temp.rstrip("/\\") if temp else None
        self.name = name

    def __call__(self, package: Any) -> Any:
        if not self.temp or not package.root.startswith(self.temp):
            return package
        import dataclasses

        rest = package.root[len(self.temp):].lstrip("/\\").replace(os.sep, "/")
        return dataclasses.replace(package, root=f"{self.name}#{rest}" if rest else self.name)


class _RelabelledSpill:
    """A batch's spill whose packages come out relabelled (for the JSON writer)."""

    def __init__(self, spill: Any, relabel: Relabel) -> None:
        self._spill, self._relabel = spill, relabel

    def names(self) -> list[str]:
        names: list[str] = self._spill.names()
        return names

    def get(self, name: str) -> Any:
        return self._relabel(self._spill.get(name))

    def close(self) -> None:
        self._spill.close()


def check_one(path: str, specs: Sequence[str], lang: str, out: str, relabel: Relabel) -> bool:
    """Check one materials folder exactly as `validator check` does; write the reports."""
    from validator.api import client_spec_ref, client_values
    from validator.batch.union import load_union
    from validator.cli import make_report
    from validator.engine import Job, check_package
    from validator.formats import renderer

    named = client_spec_ref(path)
    refs = list(specs) or ([named] if named else [])
    if not refs:
        raise UserError("no_spec")
    spec = load_union(refs)
    values, problem = client_values(path, None)
    package = check_package(path, Job.for_client(spec, values), client_problem=problem,
                            provider=_Counter(_throttled()))
    report = make_report([relabel(package)], lang)
    for name in OUTPUTS:
        _write(out, name, renderer(name)(report))
    _finish(report.packages, clients=1)
    return report.ok


def check_root(path: str, specs: Sequence[str], lang: str, out: str, relabel: Relabel) -> bool:
    """Check an agency root as `validator batch` does: the roll-up and each client's detail."""
    from typing import cast

    from validator import __version__
    from validator.batch.clients import resolve_spec_ref
    from validator.batch.json_report import write_json
    from validator.batch.runner import BatchOptions, SpilledPackages, run_batch
    from validator.formats import renderer
    from validator.model import PackageResult, Report

    options = BatchOptions(root=path, default_specs=tuple(resolve_spec_ref(r, ".") for r in specs),
                           executor="process", lang=lang)
    done = [0]

    def started(total: int) -> None:
        emit("start", mode="batch", total=total, unit="clients")

    def advanced(_result: object) -> None:
        done[0] += 1
        emit("progress", done=done[0])

    outcome = run_batch(options, on_start=started, on_result=advanced)
    outcome.spill = cast(Any, _RelabelledSpill(outcome.spill, relabel))
    try:
        packages = cast(tuple[PackageResult, ...], SpilledPackages(outcome.spill))
        report = Report(packages, lang=lang, tool_version=__version__)
        for name in ("html", "xlsx"):
            _write(out, name, renderer(name)(report))
        with open(os.path.join(out, "report.json"), "w", encoding="utf-8") as f:
            write_json(outcome, f)
        _finish(list(SpilledPackages(outcome.spill)), clients=len(outcome.rows))
    finally:
        outcome.spill.close()
    return outcome.ok


class UserError(Exception):
    """A reason the page shows the clerk (a key of the page's words, or a spec's own text)."""


def _write(out: str, name: str, body: str | bytes) -> None:
    data = body.encode("utf-8") if isinstance(body, str) else body
    with open(os.path.join(out, f"report.{name}"), "wb") as f:
        f.write(data)


def _finish(packages: Sequence[Any], clients: int) -> None:
    from validator.model import Severity

    defects = [d for p in packages for d in p.defects]
    emit("done", ok=all(p.ready for p in packages), clients=clients, files=sum(p.files for p in packages),
         **{s.value + ("s" if s is not Severity.INFO else ""): sum(d.severity is s for d in defects)
            for s in Severity})


def main(argv: Sequence[str]) -> int:
    with open(argv[0], encoding="utf-8") as f:
        request = json.load(f)
    path, lang, out = request["path"], request["lang"], request["out"]
    specs = [s for s in request.get("specs", []) if s]
    zip_name = request.get("zip_name", "")  # a dropped zip: the name it was dropped as
    unpacked = None
    try:
        mode = choose_mode(path, request.get("mode", "auto"))
        relabel = Relabel(path, zip_name) if zip_name else Relabel()
        if mode == "batch" and os.path.isfile(path):  # a zip of clients' folders: batch needs folders
            unpacked = tempfile.mkdtemp(prefix="validator-zip-", dir=os.path.dirname(os.path.abspath(out)))
            relabel = Relabel(unpacked, zip_name or os.path.basename(path))
            path = unpack_clients(path, unpacked)
        run = check_root if mode == "batch" else check_one
        run(path, specs, lang, out, relabel)
    except UserError as exc:
        emit("error", key=str(exc))
        return 2
    except RefusedZip as exc:
        emit("error", key="bad_zip", detail=str(exc))
        return 2
    except Exception as exc:  # a spec error, an unreadable folder: shown in the page, not a traceback
        from validator.spec import SpecError
        from validator.textsafe import safe

        emit("error", key="spec_error" if isinstance(exc, SpecError) else "failed", detail=safe(str(exc))[:2000])
        return 2
    finally:
        if unpacked is not None:
            shutil.rmtree(unpacked, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
