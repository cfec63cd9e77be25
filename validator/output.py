"""Put a rendered report at its destination: stdout (``-``) or a file.

One writer for every command, so each failure reads the same: a directory, a missing parent
folder, no permission, a full disk become one :class:`OutputError` (the command prints it and
exits 2), never a traceback or exit 1 ("defects found"). A file is written to a temporary file
in the same folder and renamed over the destination, so a failed write never leaves half a
report. A destination inside a checked folder is refused: the tool never changes materials.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import IO

from validator.vocab import OUTPUT_WORDS

STDOUT = "-"

# suffix -> format, for `-o FILE` and `FORMAT=FILE` without a format name
SUFFIX_FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".xlsx": "xlsx",
    ".csv": "csv",
    ".sarif": "sarif",
    ".xml": "junit",
    ".md": "markdown",
    ".markdown": "markdown",
}

_WORDS = OUTPUT_WORDS


class OutputError(Exception):
    """A report could not be put where it was asked to go; str() is the message for the user."""


def _words(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["en"])


def format_for_path(path: str) -> str | None:
    """The report format a file name asks for by its suffix (``x.html`` -> html), or None."""
    return SUFFIX_FORMATS.get(os.path.splitext(path)[1].lower())


def wrote_line(dest: str, lang: str) -> str:
    """The stderr line naming a file written."""
    from validator.textsafe import safe

    return _words(lang)["wrote"].format(dest=safe(dest))


def _reason(exc: OSError, lang: str) -> str:
    w = _words(lang)
    if isinstance(exc, IsADirectoryError):
        return w["is_dir"]
    if isinstance(exc, FileNotFoundError):
        return w["no_parent"]
    if isinstance(exc, PermissionError):
        return w["denied"]
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return w["no_space"]
    if exc.errno == errno.ENXIO:  # a named pipe nobody reads
        return w["no_reader"]
    if exc.errno == errno.ENAMETOOLONG:
        return w["too_long"]
    if exc.errno == errno.EROFS:
        return w["read_only"]
    code = errno.errorcode.get(exc.errno) if exc.errno is not None else None
    if lang == "zh" and code:  # the OS's words are English: its code instead
        return w["os_error"].format(code=code)
    return exc.strerror or type(exc).__name__


def _fail(dest: str, why: str, lang: str) -> OutputError:
    from validator.textsafe import safe

    return OutputError(_words(lang)["cannot"].format(dest=safe(dest), why=why))


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # different drives (Windows)
        return False


def check_destination(dest: str, protected: Iterable[str] = (), lang: str = "en") -> None:
    """Refuse, before any work, a destination that can never be written: a directory, a
    missing folder, or a place inside a checked folder (`-o client.yaml` once overwrote
    materials). Permissions and a full disk show only when writing."""
    if dest == STDOUT:
        return
    real = os.path.realpath(dest)  # through symlinks: a link into the materials is inside them
    for folder in protected:
        base = os.path.realpath(folder)
        if _inside(real, base):
            from validator.textsafe import safe

            raise _fail(dest, _words(lang)["inside"].format(folder=safe(folder)), lang)
    if os.path.isdir(real):
        raise _fail(dest, _words(lang)["is_dir"], lang)
    if _is_special(dest):  # /dev/stdout into a pipe resolves to /proc/…/pipe:[n], no folder at all
        return
    if not os.path.isdir(os.path.dirname(real) or "."):
        raise _fail(dest, _words(lang)["no_parent"], lang)
    if _name_too_long(real):  # else a whole batch ran before the write said so
        raise _fail(dest, _words(lang)["too_long"], lang)


def _name_too_long(path: str) -> bool:
    folder, name = os.path.split(path)
    try:
        limit = os.pathconf(folder or ".", "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows), or no answer
        limit = 255
    # (the temporary file written first takes at most 64 characters of the name: it fits)
    return len(os.fsencode(name)) > limit


def write(dest: str, body: str | bytes, protected: Iterable[str] = (), lang: str = "en") -> None:
    """Write `body` (text as UTF-8, line endings as they are) to `dest` (``-``: stdout)."""
    if dest == STDOUT:
        _to_stdout(body, lang)
        return
    data = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body
    check_destination(dest, protected, lang)
    real = os.path.realpath(dest)
    try:
        if _is_special(dest):
            _to_special(dest, data)  # /dev/null, /dev/stdout, a FIFO: never renamed over
        else:
            _atomic(real, data)
    except OSError as exc:
        raise _fail(dest, _reason(exc, lang), lang) from None


def _atomic(path: str, data: bytes) -> None:
    import tempfile  # here, not at import: a check or hook that prints its report never needs it (~2 ms)

    folder, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{name[:64]}.", suffix=".part", dir=folder or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        _set_mode(tmp, path)
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise


def _set_mode(tmp: str, path: str) -> None:
    """mkstemp makes 0600; give the report the mode it had, or what the umask allows."""
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)


def _to_special(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK if _is_fifo(path) else os.O_WRONLY)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _is_special(path: str) -> bool:
    """An existing destination that is neither a regular file nor a folder (after links)."""
    return os.path.exists(path) and not os.path.isfile(path) and not os.path.isdir(path)


def _is_fifo(path: str) -> bool:
    import stat

    return stat.S_ISFIFO(os.stat(path).st_mode)


def _to_stdout(body: str | bytes, lang: str) -> None:
    import click

    try:
        if isinstance(body, str):
            click.echo(body, nl=False)  # click knows the console's encoding
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(body)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): nothing more to say; stop Python complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise _fail(_words(lang)["stdout"], "broken pipe", lang) from None
    except OSError as exc:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise _fail(_words(lang)["stdout"], _reason(exc, lang), lang) from None


def put(dest: str | None, body: str | bytes, protected: Iterable[str] = (), lang: str = "en") -> None:
    """:func:`write`, then (for a file) one line on stderr naming it."""
    write(dest or STDOUT, body, protected, lang)
    if dest and dest != STDOUT:  # -o '' is standard output too: no "written to ''" line
        click_echo_wrote(dest, lang)


def fail_exit(errors: Iterable[str], code: int = 2) -> None:
    """Print each output error on stderr and exit `code` (2: an output error)."""
    import click

    for message in errors:
        click.echo(message, err=True)
    sys.exit(code)


@contextmanager
def opened_text(dest: str | None, protected: Iterable[str] = (), lang: str = "en") -> Iterator[IO[str]]:
    """A text stream to `dest` for a report written piece by piece (too big to hold): a temp
    file renamed into place when the block ends cleanly, removed when it does not. Errors
    (opening, writing, renaming) come out as :class:`OutputError`; stdout is written as it goes."""
    import io

    if dest in (None, STDOUT):
        buf = io.StringIO()
        yield buf
        _to_stdout(buf.getvalue(), lang)
        return
    check_destination(dest, protected, lang)
    real = os.path.realpath(dest)
    if _is_special(dest):
        buf = io.StringIO()
        yield buf
        write(dest, buf.getvalue(), protected, lang)
        return
    folder, name = os.path.split(real)
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name[:64]}.", suffix=".part", dir=folder or ".")
    except OSError as exc:
        raise _fail(dest, _reason(exc, lang), lang) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
            try:
                yield f
            except OSError as exc:
                raise _fail(dest, _reason(exc, lang), lang) from None
            f.flush()
            os.fsync(f.fileno())
        _set_mode(tmp, real)
        os.replace(tmp, real)
    except OSError as exc:
        _unlink(tmp)
        raise _fail(dest, _reason(exc, lang), lang) from None
    except BaseException:
        _unlink(tmp)
        raise
    click_echo_wrote(dest, lang)


def click_echo_wrote(dest: str, lang: str) -> None:
    import click

    click.echo(wrote_line(dest, lang), err=True)


def _unlink(path: str) -> None:
    with suppress(OSError):
        os.unlink(path)
