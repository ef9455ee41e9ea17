"""``make bench``: run every benchmark module in tests/bench (bench_*.py) in turn.

Each module exposes ``main()`` and prints its own figures. Benchmarks are measurements,
not tests: nothing here fails on a number; docs/benchmarks.md records the figures.
"""

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main():
    here = Path(__file__).parent
    wanted = {f"bench_{name}" for name in sys.argv[1:]}  # e.g. `python -m tests.bench.run scale`
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_") and (not wanted or m.name in wanted)
    )
    if not names:
        print("no benchmarks found")
        return 1
    for name in names:
        print(f"== {name} ==", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"tests.bench.{name}").main()
        print(f"({name} took {time.perf_counter() - started:.1f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
