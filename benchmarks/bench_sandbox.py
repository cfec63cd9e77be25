"""What the killable worker (validator.sandbox) costs; prints medians.

    python benchmarks/bench_sandbox.py [--calls N] [--starts N] [--modes fork,forkserver,spawn]

1. Per-call overhead: a trivial function (returns None) and one returning a 100 KB bytes value,
   through the sandbox in each mode, next to the same plain in-process call.  Also a call with a
   ``state_key`` the child already holds (the state is not sent again).
2. Child start cost per mode: the first child of the process (for forkserver this includes
   starting multiprocessing's fork server) and later children (a restart after a kill), each
   measured as ``Sandbox()`` + first trivial call.

The functions live in tests/sandbox_targets.py (spawn and forkserver children import them by name).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import sandbox_targets as targets  # noqa: E402
from validator.sandbox import Sandbox  # noqa: E402

PAYLOAD = 100_000


def median_us(fn: Callable[[], object], calls: int) -> float:
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def per_call(modes: list[str], calls: int) -> None:
    print(f"per call, median of {calls} (us)      trivial   100 KB result   held state")
    plain = (median_us(targets.nothing, calls), median_us(lambda: targets.payload(PAYLOAD), calls))
    print(f"  plain in-process call           {plain[0]:8.1f}   {plain[1]:13.1f}")
    state = targets.Counted(list(range(1000)))
    for mode in modes:
        with Sandbox(mode=mode) as box:
            box.call(targets.nothing, timeout=60)  # started
            trivial = median_us(lambda: box.call(targets.nothing, timeout=10), calls)
            big = median_us(lambda: box.call(targets.payload, PAYLOAD, timeout=10), calls)
            held = median_us(lambda: box.call(targets.state_loads, timeout=10, state_key="s", state=state), calls)
            assert box.call(targets.state_loads, timeout=10, state_key="s", state=state) == 1
        print(f"  sandbox {mode:10s}              {trivial:8.1f}   {big:13.1f}   {held:10.1f}")


def starts(modes: list[str], count: int) -> None:
    print(f"child start: Sandbox() + first trivial call (ms; later = median of {count})")
    for mode in modes:
        times = []
        for _ in range(count + 1):
            t0 = time.perf_counter()
            with Sandbox(mode=mode) as box:
                box.call(targets.nothing, timeout=60)
                times.append(time.perf_counter() - t0)
        first, later = times[0] * 1e3, statistics.median(times[1:]) * 1e3
        print(f"  {mode:10s}  first {first:7.1f}   later {later:7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--starts", type=int, default=9)
    parser.add_argument("--modes", default="fork,forkserver,spawn")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    starts(modes, args.starts)  # first: the first child of each mode in a fresh process
    per_call(modes, args.calls)


if __name__ == "__main__":
    main()
