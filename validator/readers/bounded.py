"""Hard-ish bounds on the time and memory one parse may take.

``limits(seconds, memory_mb)`` is entered once per parsed file::

    with limits(10.0, 1024):
        reader = PdfReader(...)

Inside it:

* **time** - ``signal.setitimer(ITIMER_REAL)`` delivers SIGALRM after ``seconds``; the handler
  raises :class:`ParseLimit` ``("time")`` in whatever Python frame is running.  The timer is
  re-armed every :data:`REPEAT` seconds after the first expiry, so a library that swallows the
  exception in a broad ``except Exception`` (pypdf does, in its lenient recovery paths) is
  interrupted again and again until the ``with`` block is left.
* **memory** - the soft ``RLIMIT_AS`` is lowered to *current virtual size + memory_mb* (never
  raised), so a runaway allocation fails with ``MemoryError``, which leaves the block as
  :class:`ParseLimit` ``("memory")``.

On exit the previous SIGALRM handler, the previous timer (with the time it had left, firing at
once if that is already past) and the previous soft limit are put back, so contexts nest: the
inner one never outlives, loosens or silently cancels the outer one.

What it cannot do (by design, documented so nobody relies on it):

* Signals are handled between Python bytecodes only.  Native code (pypdfium2, python-calamine,
  zlib, ``re``) is **not** interrupted; the limit fires as soon as control returns to Python.
  Native readers must therefore be bounded by checking their *input* (sizes, cell counts).
* ``RLIMIT_AS`` is process-wide.  A native library that hits it may abort the whole process
  rather than raise (Rust's allocator does: ``memory allocation of N bytes failed`` + SIGABRT),
  so do **not** wrap native readers with ``memory_mb``; pass ``None``.
* It only works in the main thread of a POSIX process (signals can only be installed there, and
  lowering a process-wide limit under other threads' feet would make *their* allocations fail).
  Elsewhere - a worker thread, Windows, a platform without ``/proc/self/statm`` for the memory
  part, or ``VALIDATOR_PORTABLE`` (:mod:`validator.portable`), which runs the Windows branch on
  Linux - the corresponding bound silently degrades to doing nothing; :func:`supported` tells
  which parts are active.  The bound that holds there is the sandbox child's deadline and memory
  guard (:mod:`validator.sandbox`): parse in the killable worker.

Cost: entering and leaving costs a few microseconds (see ``benchmarks/bench_readers.py``).
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from types import FrameType
from typing import Literal

from validator.portable import native

try:  # POSIX only
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

__all__ = ["REPEAT", "ParseLimit", "limits", "supported"]

LimitKind = Literal["time", "memory", "size"]

#: After the first expiry the alarm repeats this often (seconds) until the block is left.
REPEAT = 0.05

_MB = 1024 * 1024
_HAS_TIMER = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")
_STATM = "/proc/self/statm"
_HAS_STATM = os.path.exists(_STATM)
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class ParseLimit(Exception):
    """A parse exceeded a bound.  ``kind`` is ``"time"``, ``"memory"`` or ``"size"``."""

    def __init__(self, kind: LimitKind, detail: str = "") -> None:
        super().__init__(f"{kind} limit exceeded" + (f": {detail}" if detail else ""))
        self.kind: LimitKind = kind
        self.detail = detail


def supported() -> dict[str, bool]:
    """Which bounds :func:`limits` would really arm if entered here and now."""
    main = threading.current_thread() is threading.main_thread()
    return {
        "time": main and _HAS_TIMER and native("alarm"),
        "memory": main and resource is not None and _HAS_STATM and native("rlimit"),
    }


def _vm_size() -> int:
    with open(_STATM, "rb") as fh:
        return int(fh.read().split(None, 1)[0]) * _PAGE


class _Alarm:
    """The SIGALRM handler of one ``limits`` block; raises only while that block is active."""

    __slots__ = ("active", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.active = True

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        # Never raise inside the exit code itself: that would skip the restoring it is doing.
        # (The alarm repeats, so an enclosing block's deadline is only postponed by REPEAT.)
        if self.active and (frame is None or (frame.f_code not in _EXIT_CODES and not _in_gc_callback(frame))):
            raise ParseLimit("time", f"more than {self.seconds:g} s")


def _in_gc_callback(frame: FrameType) -> bool:
    """Is the interrupted code a garbage-collector callback (a profiler's, a test framework's)?
    An exception raised there is swallowed and printed as "Exception ignored"; the repeating
    alarm fires again a moment later, in the parse itself."""
    codes = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    f: FrameType | None = frame
    while f is not None:
        if f.f_code in codes:
            return True
        f = f.f_back
    return False


class limits:  # lower case: reads as a function, ``with limits(10, 1024): ...``
    """Bound the enclosed block to ``seconds`` of wall time and ``memory_mb`` more address space.

    ``seconds <= 0`` or ``memory_mb is None`` disables that bound.  See the module docstring for
    what is and is not covered.  One instance guards one ``with`` block.

    A class rather than a ``@contextmanager`` generator on purpose: a repeating alarm landing
    while contextlib forwards an exception into a generator would abandon the generator before
    its ``finally`` ran, leaving the alarm armed.  ``__exit__`` is always called.
    """

    __slots__ = (
        "_alarm",
        "_armed_at",
        "_mem_bound",
        "_memory_mb",
        "_prev_delay",
        "_prev_handler",
        "_prev_hard",
        "_prev_interval",
        "_prev_soft",
        "_seconds",
    )

    def __init__(self, seconds: float, memory_mb: int | None) -> None:
        self._seconds = seconds
        self._memory_mb = memory_mb
        self._alarm: _Alarm | None = None
        self._prev_handler: object = None
        self._prev_delay = self._prev_interval = self._armed_at = 0.0
        self._prev_soft: int | None = None
        self._prev_hard = 0
        self._mem_bound = False  # a memory bound (ours or an enclosing, tighter one) is in force

    def __enter__(self) -> None:
        seconds, memory_mb = self._seconds, self._memory_mb
        main = threading.current_thread() is threading.main_thread()
        try:
            if main and memory_mb is not None and resource is not None and _HAS_STATM and native("rlimit"):
                self._mem_bound = True
                soft, hard = resource.getrlimit(resource.RLIMIT_AS)
                target = _vm_size() + max(memory_mb, 0) * _MB
                if hard != resource.RLIM_INFINITY:
                    target = min(target, hard)
                if soft == resource.RLIM_INFINITY or target < soft:  # only ever tighten
                    resource.setrlimit(resource.RLIMIT_AS, (target, hard))
                    self._prev_soft, self._prev_hard = soft, hard
            if main and _HAS_TIMER and seconds > 0 and native("alarm"):
                # Read everything to restore *before* changing anything, so that an outer alarm
                # landing half-way through this setup still leaves a consistent state to restore.
                self._prev_handler = signal.getsignal(signal.SIGALRM)
                self._armed_at = time.monotonic()
                self._prev_delay, self._prev_interval = signal.getitimer(signal.ITIMER_REAL)
                self._alarm = alarm = _Alarm(seconds)
                signal.signal(signal.SIGALRM, alarm)
                # When the enclosing deadline comes first, keep it.
                prev = self._prev_delay
                signal.setitimer(signal.ITIMER_REAL, min(seconds, prev) if prev > 0 else seconds, REPEAT)
        except BaseException:
            self._restore()
            raise

    def __exit__(
        self, et: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> Literal[False]:
        self._restore()
        if exc is not None and isinstance(exc, MemoryError) and self._mem_bound:
            raise ParseLimit("memory", f"more than {self._memory_mb} MB") from exc
        return False

    def _restore(self) -> None:
        # Deactivate first: a SIGALRM handled from here on is ignored by our handler.  Everything
        # else goes before re-arming the outer timer, which may fire at once.
        alarm = self._alarm
        if alarm is not None:
            alarm.active = False
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
        if self._prev_soft is not None and resource is not None:
            resource.setrlimit(resource.RLIMIT_AS, (self._prev_soft, self._prev_hard))
        if alarm is not None:
            handler = self._prev_handler
            if handler is None:  # installed from C, not Python: best we can do
                handler = signal.SIG_DFL
            signal.signal(signal.SIGALRM, handler)  # type: ignore[arg-type]
            if self._prev_delay > 0:
                left = self._prev_delay - (time.monotonic() - self._armed_at)
                # Past due: fire (almost) at once so the outer handler still sees its deadline.
                signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6), self._prev_interval)


_EXIT_CODES = frozenset({limits.__exit__.__code__, limits._restore.__code__})
