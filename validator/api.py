"""Library entry points: check one materials folder against a spec.

Every mode runs the one pipeline of :mod:`validator.engine`; this module only gathers the
client's values first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from validator.client_file import read_client_file
from validator.engine import DEFAULT_FILE_TIMEOUT, FileOutcome, Job, check_package, finish_package, inspect
from validator.model import PackageResult
from validator.spec.model import Spec

__all__ = ["FileOutcome", "Job", "check_folder", "check_package", "client_spec_ref", "client_values",
           "finish_package", "inspect"]


def client_values(root: str, overrides: Mapping[str, str] | None) -> tuple[dict[str, Any], str | None]:
    """The folder's client.yaml values with ``overrides`` (--var) on top, and a problem text."""
    values, problem = read_client_file(root)
    values.update(overrides or {})
    return values, problem


def client_spec_ref(root: str) -> str | None:
    """The spec a folder's client.yaml names (`spec: call-center`), if any."""
    values, _ = read_client_file(root)
    ref = values.get("spec")
    return ref if isinstance(ref, str) and ref else None


def check_folder(root: str, spec: Spec, overrides: Mapping[str, str] | None = None, *,
                 cache: bool = False, file_timeout: float | None = DEFAULT_FILE_TIMEOUT,
                 on_file: Callable[[int, int], None] | None = None, waivers: str | None = None) -> PackageResult:
    """Check every file of a materials folder and the folder as a whole (``cache``: through the
    incremental cache, see :mod:`validator.incremental`; ``file_timeout``: seconds one file's
    PDF or workbook parse may take in the killable worker, None to parse in this process;
    ``on_file(done, total)``: called after each file; ``waivers``: a waivers file instead of
    the folder's own waivers.yaml, see :mod:`validator.waivers`)."""
    if cache:
        from validator.incremental import check_folder_cached

        return check_folder_cached(root, spec, overrides, file_timeout=file_timeout, on_file=on_file,
                                   waivers=waivers)
    values, problem = client_values(root, overrides)
    return check_package(root, Job.for_client(spec, values, file_timeout=file_timeout, waivers=waivers),
                         client_problem=problem, on_file=on_file)
