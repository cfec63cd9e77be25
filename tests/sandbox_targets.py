"""Functions run in sandbox children by tests/test_sandbox.py and benchmarks/bench_sandbox.py.

A module of its own, importing little: spawn and forkserver children import it by name to find
the functions (pickled by reference), and each of them starts a fresh interpreter.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from typing import Any

#: States unpickled in this process (a child counts its own).
STATE_LOADS = 0


def echo(value: Any) -> Any:
    return value


def nothing() -> None:
    return None


def payload(size: int) -> bytes:
    return b"x" * size


def pid() -> int:
    return os.getpid()


def fail(message: str) -> None:
    raise ValueError(message)


class CarriesLock(Exception):
    """Cannot cross the pipe (a lock does not pickle): the child must send a stand-in."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.lock = threading.Lock()


def fail_unpicklable() -> None:
    raise CarriesLock("odd")


def leave() -> None:
    sys.exit(3)


def catastrophic_regex(n: int) -> bool:
    """Exponential backtracking inside the C regex engine: no signal interrupts it."""
    return re.fullmatch(r"(a+)+$", "a" * n + "b") is not None


def native_sleep(seconds: int) -> int:
    import ctypes

    return int(ctypes.CDLL(None).sleep(seconds))


def allocate(nbytes: int) -> int:
    return len(bytearray(nbytes))


def grow(chunk_mb: int) -> int:
    chunks = []
    while True:
        chunks.append(bytearray(chunk_mb * 1024 * 1024))


def abort() -> None:
    os.abort()


def exit_with(code: int) -> None:
    os._exit(code)


def say_then_abort(text: str) -> None:
    os.write(2, text.encode() + b"\n")
    os.abort()


def noisy(text: str) -> int:
    print(text)
    print(text, file=sys.stderr)
    sys.stdout.flush()
    os.write(1, text.encode())
    os.write(2, text.encode())
    return len(text)


def address_space_limit() -> int:
    import resource

    return resource.getrlimit(resource.RLIMIT_AS)[0]


def calamine_sheet(path: str) -> int:
    """python-calamine on the given workbook (a far-away cell makes it allocate the whole range)."""
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(path)
    return len(workbook.get_sheet_by_index(0).to_python())


def _revive(value: Any) -> Counted:
    global STATE_LOADS
    STATE_LOADS += 1
    return Counted(value)


class Counted:
    """A state that counts how often it was unpickled in the process holding it."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __reduce__(self) -> tuple[Any, tuple[Any]]:
        return _revive, (self.value,)


def with_state(state: Counted, extra: int) -> tuple[int, Any, int]:
    return STATE_LOADS, state.value, extra


def nested_mode() -> tuple[str, int]:
    """Inside a child: the mode reported and where a nested sandbox runs the call."""
    from validator import sandbox

    return sandbox.mode_in_force(), sandbox.shared().call(pid, timeout=5)


def sandboxed_pid() -> tuple[int, int]:
    """(this process, its sandbox child): for a daemonic parent such as a Pool worker."""
    from validator.sandbox import Sandbox

    with Sandbox(mode="fork") as box:
        return os.getpid(), box.call(pid, timeout=10)


def state_loads(state: Counted) -> int:
    return STATE_LOADS


def bounded_regex_in_worker(timeout: float) -> tuple[str, str, int]:
    """A task for a Dask worker: a native hang under this thread's shared sandbox."""
    from validator import sandbox

    box = sandbox.shared()
    try:
        box.call(catastrophic_regex, 40, timeout=timeout)
    except sandbox.SandboxTimeout as exc:
        outcome = f"timeout: {exc}"
    else:
        outcome = "finished"
    return outcome, sandbox.mode_in_force(), box.call(pid, timeout=60)


def grow_to(chunk_mb: int, max_mb: int) -> int:
    """Like grow, but stops at max_mb (a test whose memory guard broke must not eat the machine)."""
    chunks = [bytearray(chunk_mb * 1024 * 1024) for _ in range(max_mb // chunk_mb)]
    return len(chunks) * chunk_mb


#: What warm_up set in this process (a child started with it holds its own).
WARMED: list[Any] = []


def warm_up(value: Any) -> None:
    WARMED.append(value)


def warm_up_fails() -> None:
    raise RuntimeError("a warm-up that fails")


def warmed() -> list[Any]:
    return WARMED


def modules_loaded(names: list[str]) -> list[str]:
    return [name for name in names if name in sys.modules]


def step(state: Counted, action: str, arg: Any) -> Any:
    """One item of a ``call_each``: its own action on the state the child holds."""
    if action == "echo":
        return STATE_LOADS, state.value, arg, os.getpid()
    if action == "abort":
        abort()
    return {"sleep": native_sleep, "fail": fail, "allocate": allocate}[action](arg)
