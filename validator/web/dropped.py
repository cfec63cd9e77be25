"""A dropped zip that holds several clients' folders, written out for `batch`.

A zip of one client's pack is never written out: the worker checks it in place, as
`validator check PACK.zip` does (:mod:`validator.packsource`). `batch` needs folders, so a zip
of an agency root is written into a private temporary folder, read through the same zip reader
(:mod:`validator.ziparchive`: its central-directory checks, bombs, ``../`` and absolute names,
links, passwords, duplicate and case-duplicate names, GBK names). Anything that reader flags,
other than a legacy name encoding it decoded, refuses the zip, with the code and the member.
"""

from __future__ import annotations

import os

_DECODED = frozenset({"Z112", "Z113"})  # names in GBK or CP437: decoded, nothing to refuse


class RefusedZip(Exception):
    """The zip is not written out: ``str()`` gives the code and the member (language-neutral)."""


def unpack_clients(archive: str, dest: str) -> str:
    """Write the files of ``archive`` under the empty folder ``dest``; the folder they stand
    for (the single top folder, if the zip has one) is returned. Raises :class:`RefusedZip`."""
    from validator.packsource import pack_files
    from validator.ziparchive import MemberProblem, member_problem, open_zip, read_member

    with open(archive, "rb") as f:
        zf, found = open_zip(f, os.fstat(f.fileno()).st_size)
        refused = [(code, params) for code, params in found.problems if code not in _DECODED]
        for m in found.members:  # all decided from the central directory, before a byte is written
            problem = None if m.is_dir else member_problem(m)
            if problem is not None:
                refused.append((problem[0], {**problem[1], "member": m.name}))
        if zf is None or refused:
            if zf is not None:
                zf.close()
            raise RefusedZip("; ".join(_shown(code, params) for code, params in refused[:3]))
        with zf:
            top = os.path.realpath(dest)
            for m in found.members:
                if m.is_dir:
                    continue
                target = os.path.join(dest, *m.name.split("/"))
                if not os.path.realpath(target).startswith(top + os.sep):  # never, after the reader's checks
                    raise RefusedZip(_shown("Z106", {"member": m.stored}))
                try:
                    data = read_member(zf, m)
                except MemberProblem as exc:
                    raise RefusedZip(_shown(exc.code, {"member": m.name, **exc.params})) from None
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "xb") as out:
                    out.write(data)
    top, _ = pack_files(archive)
    return os.path.join(dest, *top.rstrip("/").split("/")) if top else dest


def _shown(code: str, params: dict[str, object]) -> str:
    member = params.get("member")
    return f"{code} {member}" if member else f"{code} {params.get('detail', '')}".strip()
