"""The killable worker, with real child processes in every mode it has (fork, forkserver, spawn).

Spawn is the Windows path, run here on Linux. Every test that kills a child checks the next call
still works; every test that ends a child checks no process is left behind.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests import sandbox_targets as targets
from tests.conftest import needs_native
from validator import sandbox
from validator.sandbox import (
    RemoteError,
    RemoteTraceback,
    Sandbox,
    SandboxAllocationAbort,
    SandboxCrashed,
    SandboxMemory,
    SandboxTimeout,
)

ROOT = Path(__file__).resolve().parents[1]
MODES = ("fork", "forkserver", "spawn")
KILL_SLACK = 2.0  # seconds a kill + reap may add to a deadline on this busy shared machine


def gone(pid: int) -> bool:
    """No such process any more - not even a zombie."""
    return not psutil.pid_exists(pid)


@pytest.fixture(scope="module", params=MODES)
def box(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    with Sandbox(memory_mb=256, mode=request.param) as sb:
        yield sb


def test_values_round_trip(box: Sandbox) -> None:
    value = {"名称": "杭州星河通讯有限公司", "rows": [(1, 2.5, None, b"\x00\xff")], "ok": True}
    assert box.call(targets.echo, value, timeout=10) == value
    assert len(box.call(targets.payload, 100_000, timeout=10)) == 100_000
    child = box.call(targets.pid, timeout=10)
    assert child == box.pid != os.getpid()
    assert box.mode == box._mode


def test_exceptions_are_raised_here(box: Sandbox) -> None:
    before = box.call(targets.pid, timeout=10)
    with pytest.raises(ValueError, match="bad header row") as info:
        box.call(targets.fail, "bad header row", timeout=10)
    assert isinstance(info.value.__cause__, RemoteTraceback)
    assert "in fail" in str(info.value.__cause__)  # the child's traceback travels with it
    # Cannot cross the pipe: a stand-in naming the original.
    with pytest.raises(RemoteError, match=r"^tests\.sandbox_targets\.CarriesLock: odd$"):
        box.call(targets.fail_unpicklable, timeout=10)
    # sys.exit in the child must not end the parent.
    with pytest.raises(RemoteError, match="SystemExit: 3"):
        box.call(targets.leave, timeout=10)
    with pytest.raises((pickle.PicklingError, AttributeError)):  # a lambda cannot be sent
        box.call(lambda: 1, timeout=10)
    assert box.call(targets.pid, timeout=10) == before  # none of these cost the child


@pytest.mark.parametrize(("fn", "arg"), [(targets.catastrophic_regex, 40), (targets.native_sleep, 60)])
def test_native_code_is_stopped_at_the_deadline(box: Sandbox, fn: object, arg: int) -> None:
    before = box.call(targets.pid, timeout=10)
    started = time.monotonic()
    with pytest.raises(SandboxTimeout):
        box.call(fn, arg, timeout=0.3)  # type: ignore[arg-type]
    assert time.monotonic() - started < 0.3 + KILL_SLACK
    assert gone(before)
    assert box.pid is None  # the next call starts a new child
    after = box.call(targets.pid, timeout=30)
    assert after != before and box.call(targets.echo, "ok", timeout=10) == "ok"


@needs_native("rlimit")
def test_memory_blow_up_is_stopped_in_the_child(box: Sandbox) -> None:
    parent_limit = resource.getrlimit(resource.RLIMIT_AS)
    child_limit = box.call(targets.address_space_limit, timeout=30)
    assert child_limit != resource.RLIM_INFINITY and box.memory_bounded is True
    with pytest.raises(SandboxMemory, match="256 MB"):
        box.call(targets.allocate, 8 * 2**30, timeout=10)  # one huge allocation
    with pytest.raises(SandboxMemory):
        box.call(targets.grow, 16, timeout=30)  # step by step
    assert resource.getrlimit(resource.RLIMIT_AS) == parent_limit
    assert box.call(targets.allocate, 64 * 2**20, timeout=30) == 64 * 2**20  # a fresh child


def test_a_dying_child_is_reported_as_crashed(box: Sandbox) -> None:
    before = box.call(targets.pid, timeout=30)
    with pytest.raises(SandboxCrashed, match="SIGABRT") as info:
        box.call(targets.abort, timeout=10)
    assert info.value.exitcode == -signal.SIGABRT and not isinstance(info.value, SandboxMemory)
    assert gone(before)
    with pytest.raises(SandboxCrashed, match="exited with code 3") as info:
        box.call(targets.exit_with, 3, timeout=30)
    assert info.value.exitcode == 3
    # The child's last stderr line names the cause.
    with pytest.raises(SandboxCrashed, match=r"SIGABRT.*: libfoo: assertion `ok' failed") as info:
        box.call(targets.say_then_abort, "libfoo: assertion `ok' failed", timeout=30)
    assert info.value.detail == "libfoo: assertion `ok' failed"
    assert box.call(targets.echo, 1, timeout=30) == 1


def test_a_native_allocator_abort_is_memory_and_crash(tmp_path: Path) -> None:
    """python-calamine (Rust) aborts the process on a failed allocation instead of raising."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = 1
    book.active["XFD1048576"] = 2  # the sheet's range: 16,384 x 1,048,576 cells, allocated at once
    path = tmp_path / "far.xlsx"
    book.save(path)
    with Sandbox(memory_mb=256, mode="fork") as sb:
        with pytest.raises(SandboxAllocationAbort, match=r"memory allocation of \d+ bytes failed") as info:
            sb.call(targets.calamine_sheet, str(path), timeout=60)
        assert isinstance(info.value, SandboxMemory) and isinstance(info.value, SandboxCrashed)
        assert info.value.exitcode == -signal.SIGABRT
        assert sb.call(targets.echo, 2, timeout=30) == 2


def test_state_is_sent_once_per_child(box: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = targets.Counted({"name": "spec"})
    box._discard()  # start from a fresh child
    results = [box.call(targets.with_state, i, timeout=30, state_key="spec-1", state=spec) for i in range(5)]
    assert [r[0] for r in results] == [1] * 5  # unpickled once in the child
    assert [r[1:] for r in results] == [({"name": "spec"}, i) for i in range(5)]
    assert targets.STATE_LOADS == 0  # and never here
    # Another key is another state; the first is still held.
    two = targets.Counted("two")
    assert box.call(targets.with_state, 0, timeout=30, state_key="spec-2", state=two)[:2] == (2, "two")
    assert box.call(targets.with_state, 0, timeout=30, state_key="spec-1", state=spec)[:2] == (2, {"name": "spec"})
    # A new child gets the state again.
    with pytest.raises(SandboxCrashed):
        box.call(targets.exit_with, 9, timeout=30)
    assert box.call(targets.with_state, 0, timeout=30, state_key="spec-1", state=spec)[:2] == (1, {"name": "spec"})
    # Past MAX_STATES the oldest is dropped in the child and sent again when asked for.
    monkeypatch.setattr(sandbox, "MAX_STATES", 2)
    box.call(targets.with_state, 0, timeout=30, state_key="a", state=targets.Counted("a"))  # 2 held
    box.call(targets.with_state, 0, timeout=30, state_key="b", state=targets.Counted("b"))  # drops spec-1
    assert box.call(targets.with_state, 0, timeout=30, state_key="spec-1", state=spec)[:2] == (4, {"name": "spec"})


def test_states_given_at_start_are_inherited_in_fork_mode(box: Sandbox) -> None:
    """A forked child holds the states given to start() from its start: no call sends them (they
    are never pickled); other modes send them with the first call that needs them."""
    spec = targets.Counted({"name": "spec"})
    with Sandbox(mode=box._mode) as sb:
        assert sb.start(states={"spec-1": spec}) is True
        inherited = sb.mode == "fork"
        assert sb.holds("spec-1") is inherited and not sb.holds("other")
        loads, value, _ = sb.call(targets.with_state, 0, timeout=30, state_key="spec-1", state=spec)
        assert (loads, value) == (0 if inherited else 1, {"name": "spec"})  # never unpickled when inherited
        assert sb.holds("spec-1")
        # Another key is sent as usual; the inherited state stays held.
        assert sb.call(targets.with_state, 0, timeout=30, state_key="two", state=targets.Counted(2))[:2] == (
            1 if inherited else 2, 2)
        assert sb.call(targets.with_state, 1, timeout=30, state_key="spec-1", state=spec)[1] == {"name": "spec"}
    assert targets.STATE_LOADS == 0  # nothing was unpickled here


def test_output_of_the_child_does_not_reach_ours(capfd: pytest.CaptureFixture[str]) -> None:
    for mode in ("fork", "spawn"):
        with Sandbox(mode=mode) as sb:
            assert sb.call(targets.noisy, "库里的调试输出", timeout=60) == 7
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_close_leaves_no_process(box: Sandbox) -> None:
    with Sandbox(mode=box._mode) as sb:
        child = sb.call(targets.pid, timeout=60)
        assert psutil.Process(child).ppid() in {os.getpid(), *(p.pid for p in psutil.Process().children())}
    assert gone(child)
    sb.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        sb.call(targets.pid, timeout=1)


def test_an_unreferenced_sandbox_ends_its_child() -> None:
    sb = Sandbox(mode="fork")
    child = sb.call(targets.pid, timeout=10)
    del sb
    assert gone(child)


def test_a_child_killed_between_calls_is_replaced_before_the_next() -> None:
    with Sandbox(mode="fork") as sb:
        child = sb.call(targets.pid, timeout=10)
        os.kill(child, signal.SIGKILL)
        while psutil.Process(child).status() != psutil.STATUS_ZOMBIE:  # dead, pipe closed
            time.sleep(0.01)
        assert sb.call(targets.echo, "again", timeout=10) == "again"  # the call had not begun
        assert gone(child) and sb.pid != child


def _pipes_held(pid: int) -> list[str]:
    fds = Path(f"/proc/{pid}/fd")
    return [target for fd in fds.iterdir() if (target := os.readlink(fd)).startswith("pipe:")]


def _pipe(conn: object) -> str:
    return f"pipe:[{os.fstat(conn.fileno()).st_ino}]"  # type: ignore[attr-defined]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc")
def test_a_forked_child_keeps_no_parent_end_of_any_sandbox_pipe() -> None:
    """Else it would not see EOF when the parent dies (where there is no PDEATHSIG)."""
    with Sandbox(mode="fork") as first, Sandbox(mode="fork") as second:
        one = first.call(targets.pid, timeout=10)
        two = second.call(targets.pid, timeout=10)
        ends = first._slot[0]
        assert ends is not None
        mine = [_pipe(ends.requests), _pipe(ends.replies)]
        # Its own two pipes, its own end of each only; nothing of the other sandbox's.
        assert [p for p in _pipes_held(one) if p in mine] in (mine, mine[::-1])
        assert not set(mine) & set(_pipes_held(two))


def test_inline_runs_here_without_a_bound() -> None:
    with Sandbox(mode="inline") as sb:
        assert sb.call(targets.pid, timeout=0.001) == os.getpid()
        with pytest.raises(ValueError, match="x"):
            sb.call(targets.fail, "x", timeout=1)
        assert sb.call(targets.with_state, 5, timeout=1, state_key="k", state=targets.Counted("s")) == (0, "s", 5)
        assert sb.mode == "inline" and sb.memory_bounded is None
    with Sandbox(memory_mb=None, mode="fork") as sb:
        assert sb.call(targets.address_space_limit, timeout=10) == resource.getrlimit(resource.RLIMIT_AS)[0]
        assert sb.memory_bounded is False


def test_a_nested_sandbox_runs_inline_in_the_child() -> None:
    with Sandbox(mode="fork") as sb:
        mode, where = sb.call(targets.nested_mode, timeout=10)
        assert (mode, where) == ("fork", sb.pid)


@needs_native("fork")
def test_a_thread_gets_its_own_forkserver_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(sandbox.ENV, raising=False)
    seen: dict[str, object] = {}

    def work() -> None:
        box = sandbox.shared()
        seen["same"] = sandbox.shared() is box
        seen["mode"] = sandbox.mode_in_force()
        seen["child"] = box.call(targets.pid, timeout=60)
        seen["value"] = box.call(targets.echo, "线程", timeout=10)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == {"same": True, "mode": "forkserver", "child": seen["child"], "value": "线程"}
    # The thread's sandbox went with the thread's locals.
    deadline = time.monotonic() + 5
    while not gone(seen["child"]) and time.monotonic() < deadline:  # type: ignore[arg-type]
        time.sleep(0.05)
    assert gone(seen["child"])  # type: ignore[arg-type]


@needs_native("fork")
def test_the_mode_auto_picks_and_the_override() -> None:
    probe = "from validator import sandbox; print(sandbox.mode_in_force(), sandbox.shared().call(abs, -1, timeout=60))"
    env = {k: v for k, v in os.environ.items() if k != sandbox.ENV}
    env["PYTHONPATH"] = str(ROOT)
    outputs = []
    for forced in ("", "spawn", "inline"):
        run = subprocess.run([sys.executable, "-c", probe], env={**env, sandbox.ENV: forced},
                             capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
        outputs.append(run.stdout.split())
    assert outputs == [["fork", "1"], ["spawn", "1"], ["inline", "1"]]
    with pytest.raises(ValueError, match="expected one of"):
        Sandbox(mode="thread")


def test_a_daemonic_parent_may_use_it() -> None:
    """Dask worker processes and Pool workers are daemonic; multiprocessing alone would refuse."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        worker, child = pool.apply(targets.sandboxed_pid)
    assert worker != child and gone(child)


def test_ctrl_c_in_the_parent_kills_the_child() -> None:
    with Sandbox(mode="fork") as sb:
        child = sb.call(targets.pid, timeout=10)
        timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            sb.call(targets.native_sleep, 30, timeout=60)
        timer.join()
        assert time.monotonic() - started < 0.3 + KILL_SLACK
        assert gone(child)
        assert sb.call(targets.echo, 3, timeout=10) == 3


def test_the_child_dies_with_its_parent() -> None:
    """Even while busy in native code, where it cannot read the pipe's EOF."""
    script = (
        "import sys, time; from validator.sandbox import Sandbox; from tests import sandbox_targets as t\n"
        "sb = Sandbox(mode='fork'); print(sb.call(t.pid, timeout=10), flush=True)\n"
        "sb.call(t.native_sleep, 60, timeout=120)\n"
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}) as parent:  # fmt: skip
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        parent.kill()
    assert _ends_soon(child), "the child outlived its parent"


@pytest.mark.skipif(sys.maxsize < 2**32, reason="the sizes below are the 64-bit Windows SDK's")
def test_the_windows_job_object_structures_have_the_sdk_layout() -> None:
    """The Windows memory bound cannot run here; its structures' layout can be checked."""
    import ctypes

    extended, counters = sandbox._job_structs()
    assert ctypes.sizeof(extended) == 144  # JOBOBJECT_EXTENDED_LIMIT_INFORMATION on x64
    assert extended.ProcessMemoryLimit.offset == 112
    assert ctypes.sizeof(counters) == 80  # PROCESS_MEMORY_COUNTERS_EX on x64
    assert counters.PrivateUsage.offset == 72


def test_the_shared_sandbox_is_closed_at_exit() -> None:
    script = (
        "from validator import sandbox; from tests import sandbox_targets as t\n"
        "print(sandbox.shared().call(t.pid, timeout=30))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)  # fmt: skip
    assert run.stderr == ""
    assert gone(int(run.stdout))  # killed and reaped by its parent before that exited


@needs_native("fork")
def test_a_dask_worker_task_is_bounded_too() -> None:
    """Dask runs tasks in threads of daemonic worker processes: a forkserver child, same deadline."""
    import logging

    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                                 silence_logs=logging.ERROR) as cluster,
        distributed.Client(cluster) as client,
    ):  # fmt: skip
        started = time.monotonic()
        outcome, mode, child = client.submit(targets.bounded_regex_in_worker, 0.5, pure=False).result()
        assert time.monotonic() - started < 0.5 + 10  # the first call also starts the fork server
        assert (outcome, mode) == ("timeout: more than 0.5 s", "forkserver")
        assert client.submit(targets.bounded_regex_in_worker, 0.5, pure=False).result()[:2] == (outcome, mode)
    assert _ends_soon(child)  # with its worker


def _ends_soon(pid: int, seconds: float = 5) -> bool:
    """Gone or a zombie (dead; reaping it is its new parent's business) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while psutil.pid_exists(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_child_started_early_runs_its_warm_up_before_the_first_call(box: Sandbox) -> None:
    """start() does not wait: the child warms up (imports a parser, say) while the caller works."""
    with Sandbox(memory_mb=256, mode=box._mode) as sb:
        assert sb.start(warm=(targets.warm_up, ("pdf",))) is True
        child = sb.pid
        assert child is not None and sb.memory_bounded is None  # not known until it says it is ready
        assert sb.start(warm=(targets.warm_up, ("again",))) is False  # one child at a time
        sb.ready()
        assert sb.memory_bounded is not None
        assert sb.call(targets.warmed, timeout=30) == ["pdf"]  # once, in the child
        assert sb.pid == child and targets.WARMED == []
    with Sandbox(mode=box._mode) as sb:  # a warm-up that fails costs nothing but itself
        sb.start(warm=(targets.warm_up_fails, ()))
        assert sb.call(targets.echo, "still", timeout=30) == "still"
    with Sandbox(mode="inline") as sb:
        assert sb.start(warm=(targets.warm_up, ("no",))) is False and targets.WARMED == []


def test_a_retired_child_is_killed_at_once_and_reaped_later() -> None:
    with Sandbox(mode="fork") as sb:
        first = sb.call(targets.pid, timeout=10)
        sb.retire()
        assert sb.pid is None
        assert _ends_soon(first)  # killed, perhaps not yet reaped
        second = sb.call(targets.pid, timeout=10)  # a fresh child for a later call
        assert second != first
        sb.retire()
        assert gone(first)  # reaped by the next retire (or at exit)
    sandbox._reap_retired()
    assert gone(second)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork mode")
def test_fork_mode_starts_a_child_without_multiprocessing() -> None:
    """Importing multiprocessing (and tempfile for the child's stderr) cost the hook ~4 ms."""
    script = (
        "import sys; from validator.sandbox import Sandbox; from tests import sandbox_targets as t\n"
        "with Sandbox(mode='fork') as sb:\n"
        "    print(sb.call(t.modules_loaded, ['multiprocessing', 'tempfile'], timeout=30),\n"
        "          [m for m in ('multiprocessing', 'tempfile') if m in sys.modules])\n"
        "    sb.call(t.say_then_abort, 'libfoo: oops', timeout=30)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)  # fmt: skip
    assert run.stdout.split("\n")[0] == "[] []"
    assert "SandboxCrashed" in run.stderr and "libfoo: oops" in run.stderr  # its stderr, still read


def test_a_forked_child_names_its_crash_also_without_an_anonymous_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where there is no memfd (macOS) its stderr is a temporary file shared with the parent."""
    monkeypatch.setattr(sandbox, "_anonymous_file", lambda: None)
    with Sandbox(mode="fork") as sb:
        assert sb.call(targets.noisy, "上一个文件的输出 " * 50, timeout=30) > 0  # then emptied
        with pytest.raises(SandboxCrashed) as info:
            sb.call(targets.say_then_abort, "libfoo: assertion `ok' failed", timeout=30)
    assert info.value.detail == "libfoo: assertion `ok' failed"


def test_call_each_gives_every_value_in_order_from_one_request(box: Sandbox) -> None:
    state = targets.Counted("spec")
    got = box.call_each(targets.step, [("echo", i) for i in range(5)], timeout=30, state_key="each", state=state)
    child = box.call(targets.pid, timeout=30)
    loads = got[0][0]  # type: ignore[index]
    assert got == [(loads, "spec", i, child) for i in range(5)]  # the state unpickled once for all five
    assert box.call_each(targets.step, [], timeout=30, state_key="each", state=state) == []


@pytest.mark.parametrize(("action", "arg", "error"), [
    ("sleep", 30, SandboxTimeout), ("abort", None, SandboxCrashed), ("allocate", 8 * 2**30, SandboxMemory),
])
def test_call_each_stops_at_the_item_the_sandbox_ended(box: Sandbox, action: str, arg: object,
                                                       error: type[Exception]) -> None:
    state = targets.Counted("s")
    got = box.call_each(targets.step, [("echo", 0), (action, arg), ("echo", 2)], timeout=2,
                        state_key="stop", state=state)
    assert len(got) == 2 and got[0][1:3] == ("s", 0)  # type: ignore[index]
    assert isinstance(got[1], error)  # the third item did not run
    again = box.call_each(targets.step, [("echo", 3)], timeout=30, state_key="stop", state=state)
    assert again[0][1:3] == ("s", 3) and again[0][3] != got[0][3]  # type: ignore[index]  # a fresh child


def test_call_each_stops_at_an_item_that_raises_and_keeps_the_child(box: Sandbox) -> None:
    state = targets.Counted("s")
    got = box.call_each(targets.step, [("echo", 0), ("fail", "bad row"), ("echo", 2)], timeout=30,
                        state_key="raise", state=state)
    assert len(got) == 2 and isinstance(got[1], ValueError) and str(got[1]) == "bad row"
    assert isinstance(got[1].__cause__, RemoteTraceback)
    assert box.call(targets.pid, timeout=30) == got[0][3]  # type: ignore[index]


def test_call_each_gives_each_item_its_own_deadline() -> None:
    with Sandbox(mode="fork") as sb:  # three items of 1 s each: together longer than one deadline
        got = sb.call_each(targets.step, [("sleep", 1)] * 3, timeout=2.5, state_key="k", state=targets.Counted(0))
    assert got == [0, 0, 0]


def test_call_each_inline_runs_here() -> None:
    with Sandbox(mode="inline") as sb:
        got = sb.call_each(targets.step, [("echo", 1), ("fail", "x"), ("echo", 3)], timeout=1, state_key="k",
                           state=targets.Counted("s"))
    assert got[0][1:] == ("s", 1, os.getpid()) and isinstance(got[1], ValueError) and len(got) == 2  # type: ignore[index]
