"""A killable worker: run a parsing function in a child process under a deadline and a memory limit.

SIGALRM (see :mod:`validator.readers.bounded`) interrupts Python bytecode only, in the main thread
of a POSIX process.  Native parsers (python-calamine, PDFium, zlib, ``re``) run on regardless, and
Windows has neither SIGALRM nor ``RLIMIT_AS``.  The one bound that holds for every kind of code on
every OS is a process that can be killed::

    box = sandbox.shared()                       # one per thread, started lazily, closed at exit
    rows = box.call(read_sheet, data, timeout=10)
    facts = box.call(inspect, path, timeout=10, state_key=spec.digest, state=spec)

* **Persistent child.**  Requests and replies are pickles over two pipes; the parent waits for
  the reply with ``poll`` and a deadline.  A trivial call costs ~20 us on Linux, one returning
  100 KB ~50-110 us (``benchmarks/bench_sandbox.py``).  Functions and exception classes travel by reference, so
  they must be importable module-level names.
* **Start without waiting.**  The first call starts the child; ``box.start(warm=(fn, args))``
  starts it earlier and returns at once: the child runs ``fn(*args)`` (the import of a parser)
  before it says it is ready, while the caller goes on with its own work, and the next call
  waits for that greeting only if it has not come yet (:meth:`Sandbox.ready` waits for it alone).
  ``box.retire()`` kills the child without waiting for it to go (reaped at exit).
* **Deadline.**  When it passes, the child is killed (SIGKILL / TerminateProcess) and reaped, the
  call raises :class:`SandboxTimeout`, and the next call starts a new child.  Ctrl-C in the
  parent kills the child too (the child ignores SIGINT; the parent owns the interrupt).
* **Memory** (Linux).  The child lowers its own soft ``RLIMIT_AS`` to *its size at start +
  memory_mb* once, so a runaway allocation fails there: a ``MemoryError`` becomes
  :class:`SandboxMemory`; a native allocator that aborts instead (Rust: ``memory allocation of N
  bytes failed`` + SIGABRT) becomes :class:`SandboxAllocationAbort`, which is both a
  :class:`SandboxMemory` and a :class:`SandboxCrashed`.  Any other death (a signal, ``os._exit``)
  is :class:`SandboxCrashed` naming the signal or exit code and the child's last stderr line.
  Windows has no rlimit: there the child puts itself in a Job Object whose per-process commit
  limit is its size + memory_mb (allocations beyond fail with ``MemoryError``).  That code was
  written to the SDK's structure layouts (a test checks their sizes) but has never run here:
  if any step fails the child runs without a memory bound of its own.  Wherever the child has
  none (macOS does not enforce ``RLIMIT_AS``; a failed Job Object; ``VALIDATOR_PORTABLE``, which
  runs this path on Linux), the parent polls the child's resident size with psutil every
  :data:`RSS_POLL` s while it waits and kills it past its size at start + memory_mb
  (:class:`SandboxMemory`); without psutil there is no memory bound.  The deadline holds
  everywhere; :attr:`Sandbox.memory_bounded` tells whether a memory limit is in force and
  :attr:`Sandbox.memory_guard` which one (``rlimit``, ``job``, ``rss`` or ``none``).
* **Several calls in one request.**  ``call_each(fn, [args, ...], timeout=t)`` runs ``fn`` on
  each item in turn and the child replies item by item, as each ends: each item has its own
  deadline (counted from the previous reply), and the first item the sandbox ends (or that
  raises) ends the list; the items after it have not run.  It spares a round trip per item (a
  folder's parse checks, ``validator.checks.content.ParseAhead``).
* **State** sent once per child: ``call(fn, *args, state_key=k, state=s)`` runs ``fn(s, *args)``
  and pickles ``s`` only when the child does not already hold ``k`` (a spec, an index).  The key
  must name the content: a different object under a key the child holds is not sent again.  A
  child keeps the :data:`MAX_STATES` most recently added states.  ``box.start(states={k: s})``
  gives a ``fork`` child states it inherits: held from its start, never pickled.
* **Output.**  The child's stdout goes to the null device: our stdout carries reports
  (``--format json``), which a stray library print must not corrupt.  Its stderr goes to a
  private temporary file, emptied before each call and read only when the child dies, to name
  the cause (the Rust allocator's message, a C library's assertion).  Nothing reaches the user's
  terminal.
* **Lifetime.**  The child exits on pipe EOF (the parent closed or died) and, on Linux, also by
  ``PR_SET_PDEATHSIG`` while busy in native code (it fires when the *thread* that started the
  child ends: a sandbox belongs to the thread that uses it; a child found dead between calls is
  replaced).  Any forked process closes its copies of the parent's pipe ends, so that EOF
  reaches the children.  :meth:`Sandbox.close` kills and reaps the child; sandboxes are closed
  when garbage-collected and at interpreter exit.  A daemonic parent (a Dask worker process, a
  multiprocessing.Pool worker) may start one: multiprocessing's "daemonic processes are not
  allowed to have children" guards against orphans, which the above prevents.

Modes (``mode="auto"`` resolves at each child start; ``VALIDATOR_SANDBOX`` forces one for
``auto`` sandboxes; an explicit ``mode=`` argument wins over both):

* ``fork`` - POSIX, and the process has a single thread: the child inherits every module already
  imported, so it starts in a few ms.  It is made by ``os.fork`` itself (length-prefixed pickles
  over ``os.pipe``, a memfd for its stderr on Linux): multiprocessing and tempfile are not
  imported for it.
* ``forkserver`` - POSIX with other threads alive (Dask worker threads, a thread pool): forking a
  multithreaded process can deadlock the child on a lock another thread held, so the child is
  forked from multiprocessing's single-threaded fork server instead.
* ``spawn`` - Windows (and ``auto`` under ``VALIDATOR_PORTABLE``, see :mod:`validator.portable`):
  a fresh interpreter.
* ``inline`` - no child: ``fn`` runs in this process without any bound.  A last resort;
  :func:`mode_in_force` says so, and the report should show a notice.

Inside a sandbox child every sandbox runs inline: the enclosing worker already bounds it.
One :class:`Sandbox` serves one thread at a time; :func:`shared` gives each thread its own.
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import pickle
import select
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from validator.portable import native

__all__ = [
    "MAX_STATES",
    "RemoteError",
    "Sandbox",
    "SandboxAllocationAbort",
    "SandboxCrashed",
    "SandboxError",
    "SandboxMemory",
    "SandboxTimeout",
    "mode_in_force",
    "retire_shared",
    "shared",
]

MODES: tuple[str, ...] = ("fork", "forkserver", "spawn", "inline")
ENV = "VALIDATOR_SANDBOX"

#: States (``state_key``) a child keeps; adding one more drops the least recently added.
MAX_STATES = 16
#: How often (seconds) the parent polls a child's resident size where no limit holds inside it.
RSS_POLL = 0.05
#: How long a starting child may take to say it is ready (a cold ``spawn`` on a busy machine).
START_TIMEOUT = 60.0

_MB = 1024 * 1024
_PROTO = pickle.HIGHEST_PROTOCOL
_OK, _ERR, _MEM = 0, 1, 2
_READY = b"ready:"  # + b"1" when the memory bound is in force, b"0" when not
_STDERR_READ = 64 * 1024  # bytes of the dead child's stderr read for the message

T = TypeVar("T")
#: A function and its arguments the child runs once at start, before it says it is ready.
Warm = tuple[Callable[..., Any], tuple[Any, ...]]


class SandboxError(Exception):
    """The sandbox, not the function, ended the call (deadline, memory, crash)."""


class SandboxTimeout(SandboxError):
    """The call outlived its deadline; the child was killed."""


class SandboxCrashed(SandboxError):
    """The child died during the call.

    ``exitcode`` is the child's exit code, or minus the signal number that killed it (None when
    unknown); ``detail`` is the last line the child wrote to stderr, if any."""

    def __init__(self, message: str, exitcode: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.exitcode = exitcode
        self.detail = detail


class SandboxMemory(SandboxError):
    """The call hit the child's memory limit (``MemoryError`` in the child, or killed for it)."""


class SandboxAllocationAbort(SandboxMemory, SandboxCrashed):
    """A native allocator aborted the child on a failed allocation (Rust's ``memory allocation
    of N bytes failed``): a crash caused by the memory limit, so both."""


class _OverMemory(Exception):
    """The parent's RSS watch found the child over its limit (internal: becomes SandboxMemory)."""


class RemoteError(Exception):
    """Stands for an exception raised by ``fn`` in the child that could not cross the pipe."""


class RemoteTraceback(Exception):
    """Set as ``__cause__`` of a re-raised exception: the child's traceback, as text."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


# --------------------------------------------------------------------------------------------
# mode


_enclosing_mode: str | None = None  # set in a sandbox child: the mode of the worker we run in


def _threads() -> int:
    """Threads of this process, native ones included where the OS tells (Linux)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _resolve(mode: str) -> str:
    if _enclosing_mode is not None:
        return "inline"
    if mode == "auto":
        mode = os.environ.get(ENV, "").strip().lower() or "auto"
    if mode == "auto":
        if not native("fork"):  # Windows, or VALIDATOR_PORTABLE: the Windows way
            return "spawn"
        return "fork" if _threads() == 1 else "forkserver"
    if mode not in MODES:
        raise ValueError(f"sandbox mode {mode!r}: expected one of auto, {', '.join(MODES)} (env {ENV})")
    if mode in ("fork", "forkserver") and not hasattr(os, "fork"):
        raise ValueError(f"sandbox mode {mode!r} is not available on this platform")
    return mode


def mode_in_force() -> str:
    """The mode this thread's :func:`shared` sandbox runs in (or would start in now):
    ``fork``, ``forkserver``, ``spawn`` or ``inline`` (no bound: show a SANDBOX_WEAK notice)."""
    if _enclosing_mode is not None:
        return _enclosing_mode
    box = getattr(_local, "box", None)
    return box.mode if box is not None else _resolve("auto")


# --------------------------------------------------------------------------------------------
# the child


def _die_with_parent() -> None:
    """Linux: SIGKILL when the parent goes, even while stuck in native code (pipe EOF is only
    seen between calls)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no prctl: pipe EOF still ends us
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(0)


def _redirect_output(stderr_path: str | int | None) -> bool:
    """stdout to the null device, stderr to our private file (a path, or in fork mode the
    inherited descriptor of an anonymous file); True when stderr is ours."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    if "faulthandler" in sys.modules:  # a parent's (pytest's) would write to the terminal's fd
        sys.modules["faulthandler"].disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    ours = False
    if isinstance(stderr_path, int):  # the parent opened it for appending: truncating below is safe
        os.dup2(stderr_path, 2)
        os.close(stderr_path)
        ours = True
    elif stderr_path is not None:
        try:
            fd = os.open(stderr_path, os.O_WRONLY | os.O_APPEND)
        except OSError:
            fd = devnull
        else:
            ours = True
        os.dup2(fd, 2)
        if fd != devnull:
            os.close(fd)
    os.close(devnull)
    # Python-level streams may not be bound to fds 1 and 2 (spawn with a None stream, pytest's
    # capture): point them at the new fds.
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - lives as long as the child
    sys.stderr = open(2, "w", closefd=False, errors="backslashreplace")  # noqa: SIM115
    return ours


def _limit_memory(memory_mb: int | None) -> bool:
    """Bound this (child) process to its present size + ``memory_mb``; True when bounded."""
    if memory_mb is None:
        return False
    if sys.platform == "win32":
        return _limit_memory_windows(memory_mb)
    if not native("rlimit"):  # macOS, or VALIDATOR_PORTABLE: the parent polls our RSS instead
        return False
    try:
        import resource

        with open("/proc/self/statm", "rb") as fh:
            size = int(fh.read().split(None, 1)[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        return False  # not Linux (macOS does not enforce RLIMIT_AS anyway): no memory bound
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    target = size + max(memory_mb, 0) * _MB
    if hard != resource.RLIM_INFINITY:
        target = min(target, hard)
    if soft == resource.RLIM_INFINITY or target < soft:  # only ever tighten
        resource.setrlimit(resource.RLIMIT_AS, (target, hard))
    return True


def _job_structs() -> tuple[type[Any], type[Any]]:
    """JOBOBJECT_EXTENDED_LIMIT_INFORMATION and PROCESS_MEMORY_COUNTERS_EX (Windows SDK layouts)."""
    import ctypes

    size_t, dword = ctypes.c_size_t, ctypes.c_uint32  # DWORD: 32 bits (wintypes' is c_ulong, 64 on Linux)

    class Basic(ctypes.Structure):
        _fields_ = [
            ("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
            ("LimitFlags", dword), ("MinimumWorkingSetSize", size_t),
            ("MaximumWorkingSetSize", size_t), ("ActiveProcessLimit", dword),
            ("Affinity", size_t), ("PriorityClass", dword), ("SchedulingClass", dword),
        ]  # fmt: skip

    class Extended(ctypes.Structure):
        _fields_ = [
            ("BasicLimitInformation", Basic), ("IoInfo", ctypes.c_uint64 * 6),
            ("ProcessMemoryLimit", size_t), ("JobMemoryLimit", size_t),
            ("PeakProcessMemoryUsed", size_t), ("PeakJobMemoryUsed", size_t),
        ]  # fmt: skip

    counter_names = (
        "PeakWorkingSetSize", "WorkingSetSize", "QuotaPeakPagedPoolUsage", "QuotaPagedPoolUsage",
        "QuotaPeakNonPagedPoolUsage", "QuotaNonPagedPoolUsage", "PagefileUsage", "PeakPagefileUsage",
        "PrivateUsage",
    )  # fmt: skip

    class Counters(ctypes.Structure):
        _fields_ = [("cb", dword), ("PageFaultCount", dword)] + [(name, size_t) for name in counter_names]

    return Extended, Counters


def _limit_memory_windows(memory_mb: int) -> bool:  # pragma: no cover - Windows only, untested here
    """Put this process in a Job Object whose per-process commit limit is its present private
    bytes + ``memory_mb``: an allocation beyond fails (``MemoryError``) as under RLIMIT_AS.
    Any failure leaves the child without a memory bound (the deadline still holds)."""
    try:
        import ctypes
        from ctypes import wintypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        kernel32.CreateJobObjectW.restype = wintypes.HANDLE
        kernel32.CreateJobObjectW.argtypes = (ctypes.c_void_p, wintypes.LPCWSTR)
        kernel32.GetCurrentProcess.restype = wintypes.HANDLE
        kernel32.SetInformationJobObject.argtypes = (wintypes.HANDLE, ctypes.c_int, ctypes.c_void_p, wintypes.DWORD)
        kernel32.AssignProcessToJobObject.argtypes = (wintypes.HANDLE, wintypes.HANDLE)
        kernel32.K32GetProcessMemoryInfo.argtypes = (wintypes.HANDLE, ctypes.c_void_p, wintypes.DWORD)
        extended, counters = _job_structs()
        me = kernel32.GetCurrentProcess()
        used = counters()
        used.cb = ctypes.sizeof(used)
        if not kernel32.K32GetProcessMemoryInfo(me, ctypes.byref(used), used.cb):
            return False
        job = kernel32.CreateJobObjectW(None, None)
        if not job:
            return False
        info = extended()
        info.BasicLimitInformation.LimitFlags = 0x100  # JOB_OBJECT_LIMIT_PROCESS_MEMORY
        info.ProcessMemoryLimit = used.PrivateUsage + max(memory_mb, 0) * _MB
        # 9 = JobObjectExtendedLimitInformation.  The job handle stays open for the child's life.
        if not kernel32.SetInformationJobObject(job, 9, ctypes.byref(info), ctypes.sizeof(info)):
            return False
        return bool(kernel32.AssignProcessToJobObject(job, me))
    except (OSError, AttributeError, ValueError):
        return False


def _error_reply(exc: BaseException) -> bytes:
    import traceback

    tb = "".join(traceback.format_exception(exc))
    if isinstance(exc, (SystemExit, KeyboardInterrupt, GeneratorExit)):
        # Re-raised in the parent these would end or interrupt it: send them as plain errors.
        exc = RemoteError(f"{type(exc).__name__}: {exc}")
    try:
        data = pickle.dumps((_ERR, exc, tb), _PROTO)
        pickle.loads(data)  # an exception whose __init__ does not fit its args fails here
    except Exception:
        name = f"{type(exc).__module__}.{type(exc).__qualname__}"
        data = pickle.dumps((_ERR, RemoteError(f"{name}: {exc}"), tb), _PROTO)
    return data


def _serve(requests: Any, replies: Any, memory_mb: int | None, stderr_path: str | int | None, mode: str,
           warm: Warm | None = None, inherited: dict[str, Any] | None = None) -> None:
    """The child's main loop: one reply per request until the pipe closes."""
    global _enclosing_mode
    _enclosing_mode = mode
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    own_stderr = _redirect_output(stderr_path)
    bounded = _limit_memory(memory_mb)
    if warm is not None:  # before the greeting: the parent is busy elsewhere meanwhile
        with contextlib.suppress(Exception):  # a failure shows again in the call that needs it
            warm[0](*warm[1])
    states: dict[str, Any] = dict(inherited or {})  # fork mode: the states given to Sandbox.start
    recv, send = requests.recv_bytes, replies.send_bytes
    send(_READY + (b"1" if bounded else b"0"))
    while True:
        try:
            request = recv()
        except (EOFError, OSError):
            return
        if own_stderr and os.lseek(2, 0, os.SEEK_END):
            os.ftruncate(2, 0)  # keep only this call's stderr, for the crash message
        try:
            fn, args, key, has_state, state, evict, many = pickle.loads(request)
            del request
            if evict is not None:
                states.pop(evict, None)
            if key is not None and has_state:
                states[key] = state
            del state
        except BaseException as exc:  # everything goes back to the parent
            fn, many = None, False
            reply = _reply_to(exc)
        if fn is not None and not many:
            reply = _run(fn, args, key, states)[0]
        elif fn is not None:  # call_each: one reply per item, as each ends; none after a failure
            ok = True
            for item in args:
                reply, ok = _run(fn, item, key, states)
                if not ok:
                    break  # this reply is the last
                try:
                    send(reply)
                except (EOFError, OSError):
                    return
                del reply
            del args
            if ok:
                continue
        try:
            send(reply)
        except (EOFError, OSError):
            return
        del reply


def _run(fn: Callable[..., Any], args: tuple[Any, ...], key: str | None, states: dict[str, Any]) -> tuple[bytes, bool]:
    """The reply to one call in the child (its value, or what ended it) and whether it ran through."""
    try:
        value = fn(*args) if key is None else fn(states[key], *args)
        reply = pickle.dumps((_OK, value), _PROTO)
        del value
        return reply, True
    except BaseException as exc:  # everything goes back to the parent
        return _reply_to(exc), False


def _reply_to(exc: BaseException) -> bytes:
    if isinstance(exc, MemoryError):
        return pickle.dumps((_MEM, str(exc)), _PROTO)
    try:
        return _error_reply(exc)
    except MemoryError:
        return pickle.dumps((_MEM, "while sending an error back"), _PROTO)


# --------------------------------------------------------------------------------------------
# the parent


def _context(mode: str) -> Any:
    import multiprocessing

    return multiprocessing.get_context(mode)


class _FdPipe:
    """One end of an ``os.pipe`` carrying length-prefixed messages: what ``fork`` mode uses
    instead of multiprocessing's Connection, so that starting a child imports nothing (the
    multiprocessing package costs the pre-commit hook ~4 ms).  Same methods as Connection."""

    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def fileno(self) -> int:
        if self.fd < 0:
            raise OSError("pipe closed")
        return self.fd

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)

    def send_bytes(self, data: bytes) -> None:
        view = memoryview(len(data).to_bytes(8, "big") + data) if len(data) < 65536 else None
        if view is None:  # large: no copy of the payload just to prepend the header
            self._write(memoryview(len(data).to_bytes(8, "big")))
            view = memoryview(data)
        self._write(view)

    def _write(self, view: memoryview) -> None:
        fd = self.fileno()
        while view:
            view = view[os.write(fd, view) :]

    def recv_bytes(self) -> bytes:
        return self._read(int.from_bytes(self._read(8), "big"))

    def _read(self, size: int) -> bytes:
        fd = self.fileno()
        chunks = []
        while size:
            chunk = os.read(fd, min(size, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            size -= len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def poll(self, timeout: float | None) -> bool:
        return bool(select.select([self.fileno()], [], [], timeout)[0])


class _Forked:
    """A child made by ``os.fork``, with the part of multiprocessing.Process that _Child uses."""

    __slots__ = ("exitcode", "pid")

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.exitcode: int | None = None

    def _reap(self, block: bool) -> bool:
        if self.exitcode is None:
            try:
                pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            except ChildProcessError:  # reaped by someone else (a SIGCHLD handler): unknown code
                return True
            if pid:
                self.exitcode = os.waitstatus_to_exitcode(status)
        return self.exitcode is not None

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def join(self, timeout: float) -> None:
        """Reap the child if it ends within ``timeout`` seconds."""
        if self._reap(False):
            return
        try:  # Linux: wait on the process itself (a killed child takes ~1 ms to go)
            pidfd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):
            pidfd = -1
        if pidfd >= 0:
            try:
                if select.select([pidfd], [], [], timeout)[0]:
                    self._reap(True)
            finally:
                os.close(pidfd)
            return
        deadline = time.monotonic() + timeout
        pause = 0.0005
        while not self._reap(False) and time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def close(self) -> None:
        pass


def _fork(args: tuple[Any, ...]) -> int:
    """Start ``_serve(*args)`` in a child made by ``os.fork``; its pid."""
    for stream in (sys.stdout, sys.stderr):  # else the child would write our pending output again
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:  # the child, which never returns: our copies of the parent's pipe ends are closed (_drop_parent_ends)
        import gc

        # Its collector leaves the objects it inherited alone: a collection would write to (and
        # so copy) every page it shares with the parent.
        gc.freeze()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)  # as multiprocessing does: no stray read of the parent's stdin
        os.close(devnull)
        _serve(*args)
        code = 0
    except BaseException:  # the parent sees the exit code, and the traceback in our stderr
        with contextlib.suppress(BaseException):
            import traceback

            traceback.print_exc()
    finally:
        os._exit(code)


def _anonymous_file() -> int | None:
    """Linux: a nameless file for the child's stderr (no temporary file to create and remove);
    None elsewhere."""
    if not hasattr(os, "memfd_create"):
        return None
    try:
        return os.memfd_create("validator-sandbox-stderr")
    except OSError:
        return None


def _append_only(fd: int) -> None:
    """The forked child writes to this very open file (same offset as ours): in append mode its
    writes go to the end, also after it truncates the file before each call."""
    import fcntl

    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)


class _Child:
    """One live child process and the parent's ends of its pipes.

    Started without waiting: :meth:`greet` waits for the child to say it is ready, so a parent
    may start one early (with a ``warm`` function) and go on with its own work meanwhile."""

    __slots__ = (
        "__weakref__", "greeted", "keys", "memory_bounded", "memory_guard", "memory_mb", "mode", "owner", "pid",
        "poller", "proc", "replies", "requests", "rss_limit", "rss_watch", "stderr_fd", "stderr_path",
    )  # fmt: skip

    def __init__(self, mode: str, memory_mb: int | None, warm: Warm | None = None,
                 states: dict[str, Any] | None = None) -> None:
        self.mode = mode
        self.memory_mb = memory_mb
        self.owner = os.getpid()
        inherited = dict(list((states or {}).items())[-MAX_STATES:])  # fork mode only: the child's from its start
        self.keys: dict[str, None] = dict.fromkeys(inherited)  # insertion-ordered: the states the child holds
        self.greeted = False
        self.memory_bounded = False
        self.memory_guard = "none"
        self.rss_watch: Any = None  # psutil.Process of the child, when the parent polls its RSS
        self.rss_limit = 0
        self.poller: Any = None
        self.stderr_path: str | None = None
        memfd = _anonymous_file() if mode == "fork" else None
        if memfd is not None:
            self.stderr_fd = memfd
        else:
            import tempfile

            # The parent keeps a descriptor and removes the name once the child has opened it: no
            # file is left in the temp folder however this process ends (a pool worker leaves by
            # os._exit, which runs no finalizer).
            self.stderr_fd, self.stderr_path = tempfile.mkstemp(prefix="validator-sandbox-", suffix=".stderr")
        try:
            if mode == "fork":
                _append_only(self.stderr_fd)
                self._start_forked(memory_mb, warm, inherited)
            else:
                self._start_process(mode, memory_mb, warm)
        except BaseException:
            self._close_stderr()
            raise
        if native("poll"):  # POSIX; on Windows the pipe's own poll waits
            self.poller = select.poll()
            self.poller.register(self.replies.fileno(), select.POLLIN)

    def _start_forked(self, memory_mb: int | None, warm: Warm | None, states: dict[str, Any]) -> None:
        child_requests, parent_requests = os.pipe()
        parent_replies, child_replies = os.pipe()
        self.requests, self.replies = _FdPipe(parent_requests), _FdPipe(parent_replies)
        _parent_ends.add(self)  # a forked process closes its copies of these (see _drop_parent_ends)
        try:
            pid = _fork((_FdPipe(child_requests), _FdPipe(child_replies), memory_mb, self.stderr_fd, "fork", warm,
                         states))
        except BaseException:
            _parent_ends.discard(self)
            self.requests.close()
            self.replies.close()
            raise
        finally:
            os.close(child_requests)
            os.close(child_replies)
        self.proc: Any = _Forked(pid)
        self.pid = pid

    def _start_process(self, mode: str, memory_mb: int | None, warm: Warm | None) -> None:
        import multiprocessing

        ctx = _context(mode)
        child_requests, self.requests = ctx.Pipe(duplex=False)
        self.replies, child_replies = ctx.Pipe(duplex=False)
        _parent_ends.add(self)  # a forked process closes its copies of these (see _drop_parent_ends)
        proc = ctx.Process(
            target=_serve,
            args=(child_requests, child_replies, memory_mb, self.stderr_path, mode, warm),
            name="validator-sandbox",
            daemon=True,  # multiprocessing's exit handler then terminates it rather than joining it
        )
        # A daemonic process (a Dask worker, a Pool worker) may not start children: the rule is
        # there against orphans, which our child does not become (pipe EOF, PDEATHSIG).
        config = getattr(multiprocessing.current_process(), "_config", {})
        was_daemon = config.get("daemon")
        try:
            if was_daemon:
                config["daemon"] = False
            proc.start()
        except BaseException:
            self.requests.close()
            self.replies.close()
            raise
        finally:
            if was_daemon:
                config["daemon"] = was_daemon
            child_requests.close()
            child_replies.close()
        self.proc = proc
        self.pid = proc.pid

    def greet(self) -> None:
        """Wait (once) for the child to say it is ready: its memory bound is set, its warm-up
        done. Raises :class:`SandboxCrashed` (the child is then killed) when it does not."""
        if self.greeted:
            return
        mode = self.mode
        try:
            if not self.wait(START_TIMEOUT):
                raise SandboxCrashed(f"sandbox child ({mode}) did not start within {START_TIMEOUT:g} s")
            greeting = self.replies.recv_bytes()
            if not greeting.startswith(_READY):
                raise SandboxCrashed(f"sandbox child ({mode}) sent a wrong greeting")
            self.memory_bounded = greeting == _READY + b"1"
            self._remove_stderr()  # the child holds it open now (on Windows the name stays until kill)
            if self.memory_bounded:
                self.memory_guard = "job" if sys.platform == "win32" else "rlimit"
            elif self.memory_mb is not None:
                self._watch_rss(self.memory_mb)
        except (EOFError, OSError):
            raise self.death("while starting") from None
        except BaseException:
            self.kill()
            raise
        self.greeted = True

    def _watch_rss(self, memory_mb: int) -> None:
        """No bound inside the child (macOS, a Job Object that failed, VALIDATOR_PORTABLE): the
        parent polls the child's resident size every RSS_POLL seconds while it waits, and kills
        it past its size at start + ``memory_mb``. Needs psutil; without it, no memory bound.
        Coarser than a limit inside the child: an allocation made between two polls is only
        seen at the next, and memory not yet touched (resident) is not seen at all."""
        try:
            import psutil

            watch = psutil.Process(self.pid)
            self.rss_limit = watch.memory_info().rss + max(memory_mb, 0) * _MB
        except Exception:  # psutil missing, or the child already gone (the wait will tell)
            return
        self.rss_watch = watch
        self.memory_bounded = True
        self.memory_guard = "rss"

    def wait(self, timeout: float | None) -> bool:
        """True when a reply (or EOF: the child died) is ready within ``timeout`` seconds.
        Raises :class:`_OverMemory` when the polled resident size passes its limit."""
        if self.rss_watch is None:
            return self._wait(timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = RSS_POLL if deadline is None else min(RSS_POLL, deadline - time.monotonic())
            if self._wait(max(left, 0)):
                return True
            try:
                rss = self.rss_watch.memory_info().rss
            except Exception:  # gone: the next wait sees EOF
                rss = 0
            if rss > self.rss_limit:
                raise _OverMemory(f"resident size {rss / _MB:.1f} MB, over its limit {self.rss_limit / _MB:.1f} MB")
            if deadline is not None and time.monotonic() >= deadline:
                return False

    def _wait(self, timeout: float | None) -> bool:
        if self.poller is not None:
            ms = None if timeout is None else max(math.ceil(timeout * 1000), 0)
            return bool(self.poller.poll(ms))
        return bool(self.replies.poll(timeout))

    def kill(self) -> None:
        """Kill, reap and forget the child; idempotent."""
        if os.getpid() != self.owner:  # a copy inherited by a forked process: not ours to kill
            return
        proc = self.proc
        _parent_ends.discard(self)
        for conn in (self.requests, self.replies):
            with contextlib.suppress(OSError):
                conn.close()
        try:
            if proc.exitcode is None:
                proc.kill()
            proc.join(5)
            if proc.exitcode is not None:
                proc.close()
        except (OSError, ValueError):
            pass
        self._close_stderr()

    def death(self, during: str) -> SandboxCrashed:
        """The exception for a child found dead; reaps it."""
        proc = self.proc
        try:
            proc.join(5)
            code = proc.exitcode
        except (OSError, ValueError):
            code = None
        detail = self._stderr_detail()
        self.kill()
        if code is None:
            how = "died"
        elif code < 0:
            try:
                how = f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        else:
            how = f"exited with code {code}"
        message = f"sandbox child ({self.mode}) {how} {during}" + (f": {detail}" if detail else "")
        if "memory allocation of" in detail and "failed" in detail:
            return SandboxAllocationAbort(message, code, detail)
        if code == -getattr(signal, "SIGKILL", 9) and not detail:
            message += " (killed from outside: the system may have run out of memory)"
        return SandboxCrashed(message, code, detail)

    def _stderr_detail(self) -> str:
        """The line of the dead child's stderr (this call's only) that names the cause."""
        try:
            os.lseek(self.stderr_fd, 0, os.SEEK_SET)
            text = os.read(self.stderr_fd, _STDERR_READ).decode("utf-8", "replace")
        except OSError:
            return ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        # Rust prints its allocation failure first, then (RUST_BACKTRACE) a long backtrace.
        cause = [line for line in lines if line.startswith("memory allocation of")]
        return (cause or lines or [""])[-1][:300]

    def _remove_stderr(self) -> None:
        if self.stderr_path is not None:  # None: an anonymous file, nothing to remove
            with contextlib.suppress(OSError):
                os.unlink(self.stderr_path)

    def _close_stderr(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.stderr_fd)
        self._remove_stderr()


#: The parent ends of every live child's pipes in this process.
_parent_ends: weakref.WeakSet[_Child] = weakref.WeakSet()


def _drop_parent_ends() -> None:
    """In a forked process (our fork-mode child or anyone's): close the copies of the parent
    ends of this process's sandbox pipes.  Held there, they would keep a sandbox child from
    seeing EOF when its parent dies, wherever PR_SET_PDEATHSIG does not exist."""
    for child in list(_parent_ends):
        for conn in (child.requests, child.replies):
            with contextlib.suppress(OSError):
                conn.close()
    _parent_ends.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_parent_ends)


_retired: list[_Child] = []  # killed by Sandbox.retire, not yet reaped


def _reap_retired() -> None:
    while _retired:
        _retired.pop().kill()  # dead already: the join inside returns at once


atexit.register(_reap_retired)


def _close_slot(slot: list[_Child | None]) -> None:
    child, slot[0] = slot[0], None
    if child is not None:
        child.kill()


class Sandbox:
    """A persistent child process that runs functions under a deadline and a memory limit.

    ``memory_mb`` is the address space the child may add to its size at start (None: no memory
    bound).  ``mode`` is ``auto`` or one of :data:`MODES`; see the module docstring.
    """

    def __init__(self, *, memory_mb: int | None = 1024, mode: str = "auto") -> None:
        if mode != "auto" and mode not in MODES:
            raise ValueError(f"sandbox mode {mode!r}: expected one of auto, {', '.join(MODES)}")
        self.memory_mb = memory_mb
        self._mode = mode
        self._owner = os.getpid()
        self._slot: list[_Child | None] = [None]
        self._inline_states: dict[str, Any] = {}
        self._closed = False
        self._finalizer = weakref.finalize(self, _close_slot, self._slot)

    @property
    def mode(self) -> str:
        """The mode of the live child, or the one the next call would start."""
        child = self._slot[0]
        return child.mode if child is not None else _resolve(self._mode)

    @property
    def pid(self) -> int | None:
        """The live child's process id (None before the first call or start, and after a kill)."""
        child = self._slot[0]
        return child.pid if child is not None else None

    @property
    def memory_guard(self) -> str | None:
        """How the live child's memory is bounded: ``rlimit`` (Linux), ``job`` (a Windows Job
        Object), ``rss`` (the parent polls its resident size: macOS, a failed Job Object,
        VALIDATOR_PORTABLE) or ``none``; None before the first call (or while it starts)."""
        child = self._slot[0]
        return child.memory_guard if child is not None and child.greeted else None

    @property
    def memory_bounded(self) -> bool | None:
        """Whether the live child runs under its memory limit (False on macOS, or on Windows if
        the Job Object could not be set up; None before the first call, or while it starts)."""
        child = self._slot[0]
        return child.memory_bounded if child is not None and child.greeted else None

    def call(
        self,
        fn: Callable[..., T],
        *args: Any,
        timeout: float | None,
        state_key: str | None = None,
        state: object = None,
    ) -> T:
        """``fn(*args)`` - or ``fn(state, *args)`` when ``state_key`` is given - in the child;
        its value, or its exception re-raised here.  ``timeout`` in seconds (None: no deadline).

        Raises :class:`SandboxTimeout`, :class:`SandboxMemory` or :class:`SandboxCrashed` when
        the sandbox ended the call; the next call then starts a fresh child."""
        if self._closed:
            raise ValueError("call on a closed Sandbox")
        child = self._ready_child()
        if child is None:
            return self._call_inline(fn, args, state_key, state)
        taker = self._deliver(child, fn, args, state_key, state)
        if isinstance(taker, SandboxCrashed):
            raise taker
        return self._reply(taker, timeout)

    def call_each(
        self,
        fn: Callable[..., T],
        items: list[tuple[Any, ...]],
        *,
        timeout: float | None,
        state_key: str | None = None,
        state: object = None,
    ) -> list[T | BaseException]:
        """``fn(*args)`` (or ``fn(state, *args)``) for each ``args`` of ``items``, in the child,
        one after the other: what :meth:`call` would give for each, from one request instead of
        one per item.  ``timeout`` bounds each item (counted from the previous item's reply).

        Never raises for an item: the value of each, in order, up to the first that did not run
        through - which holds the exception :meth:`call` would have raised (a SandboxError when
        the sandbox ended it, the function's own otherwise); the items after it did not run, so
        the list is shorter than ``items``."""
        if self._closed:
            raise ValueError("call_each on a closed Sandbox")
        if not items:
            return []
        child = self._ready_child()
        if child is None:
            return self._each_inline(fn, items, state_key, state)
        taker = self._deliver(child, fn, items, state_key, state, many=True)
        if isinstance(taker, SandboxCrashed):
            return [taker]
        out: list[T | BaseException] = []
        for _ in items:
            try:
                out.append(self._reply(taker, timeout))
            except Exception as exc:  # the sandbox ended this item, or the function raised
                out.append(exc)
                break
        return out

    def _deliver(self, child: _Child, fn: Callable[..., Any], payload: Any, key: str | None, state: object,
                 many: bool = False) -> _Child | SandboxCrashed:
        """Send the request to ``child`` (greeted); the child that took it, or the death of the
        fresh one that could not. A child dead before the call began (killed from outside between
        calls) has not run it, so a fresh child may."""
        if self._send(child, self._request(child, fn, payload, key, state, many)):
            return child
        self._discard()
        child = self._slot[0] = _Child(_resolve(self._mode), self.memory_mb)
        self._greet(child)
        if self._send(child, self._request(child, fn, payload, key, state, many)):
            return child
        self._slot[0] = None
        return child.death("before the call")

    def _each_inline(self, fn: Callable[..., T], items: list[tuple[Any, ...]], key: str | None,
                     state: object) -> list[T | BaseException]:
        out: list[T | BaseException] = []
        for args in items:
            try:
                out.append(self._call_inline(fn, args, key, state))
            except Exception as exc:
                out.append(exc)
                break
        return out

    def _reply(self, child: _Child, timeout: float | None) -> Any:
        """The next reply of ``child``: the call's value, or its exception raised here."""
        try:
            if not child.wait(timeout):
                self._discard()
                raise SandboxTimeout(f"more than {timeout:g} s")
            reply = child.replies.recv_bytes()
        except _OverMemory as over:
            self._discard()
            raise SandboxMemory(f"out of memory in the sandbox child ({self.memory_mb} MB): {over}") from None
        except (EOFError, OSError):
            self._slot[0] = None
            raise child.death("during the call") from None
        except SandboxTimeout:
            raise
        except BaseException:  # Ctrl-C while waiting: the child's state is unknown
            self._discard()
            raise
        status, *rest = pickle.loads(reply)
        if status == _OK:
            return rest[0]
        if status == _MEM:
            self._discard()  # a native library may be left in a bad state: start afresh
            limit = f"{self.memory_mb} MB" if self.memory_mb is not None else "no limit set"
            detail = f": {rest[0]}" if rest[0] else ""
            raise SandboxMemory(f"out of memory in the sandbox child ({limit}){detail}")
        exc, tb = rest
        raise exc from RemoteTraceback(tb)

    def _live_child(self) -> _Child | None:
        """The child of this process, if any: in a forked copy of this object the child is not ours."""
        if os.getpid() != self._owner:
            self._slot[0] = None
            self._owner = os.getpid()
        return self._slot[0]

    def start(self, warm: Warm | None = None, states: dict[str, Any] | None = None) -> bool:
        """Start the child now, without waiting for it to be ready, so that its start-up (and
        ``warm``: a module-level function and its arguments, run in the child once before it
        says it is ready, e.g. the import of a parser) overlaps the caller's own work; the next
        call waits for it.  False when nothing was started: a child is already live (it keeps
        its warm-up), or the mode is ``inline``.

        ``states`` (``state_key`` -> state, as :meth:`call` takes them): in ``fork`` mode the
        child inherits them (nothing is pickled) and holds them from its start, so no call sends
        them; other modes ignore them (the first call that needs one sends it)."""
        if self._closed:
            raise ValueError("start on a closed Sandbox")
        if self._live_child() is not None:
            return False
        mode = _resolve(self._mode)
        if mode == "inline":
            return False
        self._slot[0] = _Child(mode, self.memory_mb, warm, states if mode == "fork" else None)
        return True

    def holds(self, state_key: str) -> bool:
        """Does the live child hold this state already (a call with it sends none)?"""
        child = self._live_child()
        return child is not None and state_key in child.keys

    def ready(self) -> None:
        """Start the child if there is none and wait until it is ready; raises
        :class:`SandboxCrashed` when no child can start here (nothing in ``inline`` mode)."""
        if self._closed:
            raise ValueError("ready on a closed Sandbox")
        self._ready_child()

    def _ready_child(self) -> _Child | None:
        """The child a call goes to: started (:meth:`start`) if there is none, and waited for;
        None in ``inline`` mode, where the call runs in this process."""
        if self._live_child() is None:
            self.start()
        child = self._slot[0]
        if child is not None:
            self._greet(child)
        return child

    def _greet(self, child: _Child) -> None:
        try:
            child.greet()
        except BaseException:
            if self._slot[0] is child:
                self._slot[0] = None
            raise

    def _send(self, child: _Child, request: bytes) -> bool:
        """False when the child is found dead."""
        try:
            child.requests.send_bytes(request)
        except OSError:
            return False
        except BaseException:  # interrupted half-way: the child may hold part of a request
            self._discard()
            raise
        return True

    def _request(
        self, child: _Child, fn: Callable[..., Any], args: Any, key: str | None, state: object, many: bool = False
    ) -> bytes:
        evict = None
        send_state = False
        if key is not None and key not in child.keys:
            send_state = True
            if len(child.keys) >= MAX_STATES:
                evict = next(iter(child.keys))
        request = pickle.dumps((fn, args, key, send_state, state if send_state else None, evict, many), _PROTO)
        # Only once the request is built (it may fail to pickle): the child will hold the state.
        if send_state:
            if evict is not None:
                del child.keys[evict]
            child.keys[key] = None  # type: ignore[index]
        return request

    def _call_inline(self, fn: Callable[..., T], args: tuple[Any, ...], key: str | None, state: object) -> T:
        try:
            if key is None:
                return fn(*args)
            states = self._inline_states
            if key not in states:
                if len(states) >= MAX_STATES:
                    del states[next(iter(states))]
                states[key] = state
            return fn(states[key], *args)
        except MemoryError as exc:
            raise SandboxMemory(f"out of memory (inline, no limit): {exc}") from exc

    def _discard(self) -> None:
        _close_slot(self._slot)

    def retire(self) -> None:
        """Kill the child now without waiting for it to go (a child with PDFium loaded takes
        ~1 ms to end): it is reaped at exit, or at the next retire. For a caller done parsing
        with other work left, such as the hook's report; a later call starts a fresh child."""
        child, self._slot[0] = self._slot[0], None
        if child is None or os.getpid() != self._owner:
            return
        _reap_retired()
        _parent_ends.discard(child)
        for conn in (child.requests, child.replies):
            with contextlib.suppress(OSError):
                conn.close()
        with contextlib.suppress(OSError, ValueError):
            child.proc.kill()
        _retired.append(child)

    def close(self) -> None:
        """Kill and reap the child; idempotent."""
        self._closed = True
        if os.getpid() == self._owner:
            self._discard()
        self._finalizer.detach()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------------------------
# one per thread


_local = threading.local()


def retire_shared() -> None:
    """:meth:`Sandbox.retire` this thread's sandbox, if it has one."""
    box: Sandbox | None = getattr(_local, "box", None)
    if box is not None and not box._closed:
        box.retire()


def shared() -> Sandbox:
    """This thread's sandbox (default limits, mode ``auto``), created on first use.

    Per thread because a sandbox serves one call at a time.  Closed when the thread's locals go
    or at interpreter exit."""
    box: Sandbox | None = getattr(_local, "box", None)
    if box is None or box._closed or box._owner != os.getpid():
        box = _local.box = Sandbox()
    return box
