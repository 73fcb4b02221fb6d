"""Benchmark runner (`make bench`): the demo city under gunicorn on PostgreSQL, loaded over HTTP.

Each benchmark is a module listed in BENCHMARKS. It declares ``CASES`` (a list of
``bench.harness.Case``) and may define ``prepare(env)`` to add data before the server
starts (e.g. ``bench.server.manage(env, "some_command")``). Every case is compared with
the ceiling, a bare Django view served by the same server. A CPU-only benchmark instead
defines ``run() -> list[bench.harness.Measured]`` and times itself, without a server.
Targets are reported as PASS/MISS; the exit status is non-zero only when the harness itself
fails.
"""

import argparse
import importlib
import multiprocessing
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load, server
from bench.harness import Case, Measured, Row, measured_table, table

BENCHMARKS = {
    "budget": "bench.budget",
    "voting": "bench.voting",
    "foundation": "bench.foundation",
    "procedures": "bench.procedures",
    "appointments": "bench.appointments",
    "reports": "bench.reports",
}
DATABASE_NAME = os.environ.get("LUTETIA_BENCH_DATABASE", "lutetia_bench")
CEILING = Case("ceiling (constant view)", "/bench/constant", max_p95_ms=50)
WARM_UP_S = 3


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", action="append", choices=sorted(BENCHMARKS), help="run only this benchmark"
    )
    parser.add_argument("--duration", type=float, default=10, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare_server(modules: dict, workdir: Path) -> dict[str, str]:
    """A fresh database with the demo city, static files collected, each benchmark's data."""
    env = server.production_environment(server.fresh_database(DATABASE_NAME), workdir / "static")
    log(f"database {DATABASE_NAME}: migrate, demo, collectstatic")
    server.manage(env, "migrate", "--noinput")
    server.manage(env, "demo")
    server.manage(env, "collectstatic", "--noinput")
    for name, module in modules.items():
        if hasattr(module, "prepare"):
            log(f"{name}: prepare")
            module.prepare(env)
    return env


def measure_all(base_url: str, cases: list[tuple[str, Case]], args) -> list[Row]:
    """Warm every case up, then measure them in turn, round after round."""
    for _, case in cases:
        status = server.status(base_url + case.path)
        if status != 200:
            raise server.HarnessError(f"{case.path} answers {status}, not 200")
        measure(base_url, case.path, args.connections, WARM_UP_S)
    rounds: dict[str, list[load.Measurement]] = {case.path: [] for _, case in cases}
    for round_number in range(1, args.rounds + 1):
        for _, case in cases:
            log(f"round {round_number}/{args.rounds}: {case.path}")
            rounds[case.path].append(measure(base_url, case.path, args.connections, args.duration))
    ceiling = Row("baseline", CEILING, rounds[CEILING.path], 0).requests_per_s
    return [Row(name, case, rounds[case.path], ceiling) for name, case in cases]


def measure(base_url: str, path: str, connections: int, duration: float) -> load.Measurement:
    measurement = load.measure(base_url + path, connections=connections, duration=duration)
    server.wait_until_idle(base_url)
    return measurement


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    load_before = os.getloadavg()[0]
    modules = {
        name: importlib.import_module(BENCHMARKS[name]) for name in args.only or sorted(BENCHMARKS)
    }
    served = {name: module for name, module in modules.items() if hasattr(module, "CASES")}
    measured: list[Measured] = []
    for name, module in modules.items():
        if hasattr(module, "run"):
            log(f"{name}: run")
            measured.extend(module.run())
    if measured:
        print(f"\nCPU benchmarks ({multiprocessing.cpu_count()} CPUs, load {load_before:.1f}):\n")
        print(measured_table(measured))
    return run_served(served, args, load_before) if served else 0


def run_served(modules: dict, args, load_before: float) -> int:
    """The HTTP benchmarks: one server for all of them, the ceiling measured alongside."""
    cases = [("baseline", CEILING)] + [
        (name, case) for name, module in modules.items() for case in module.CASES
    ]
    try:
        with tempfile.TemporaryDirectory(prefix="lutetia-bench-") as tmp:
            workdir = Path(tmp)
            env = prepare_server(modules, workdir)
            with server.gunicorn(
                env, workers=args.workers, threads=args.threads, log_path=workdir / "gunicorn.log"
            ) as base_url:
                log(f"serving on {base_url}; load generator: {load.tool()}")
                rows = measure_all(base_url, cases, args)
                # A module may drive the server itself (POSTs, sessions): ``drive(url, args)``.
                driven = [
                    m
                    for mod in modules.values()
                    if hasattr(mod, "drive")
                    for m in mod.drive(base_url, args)
                ]
    except (server.HarnessError, load.LoadError) as error:
        log(f"bench: error: {error}")
        return 2
    print(
        f"\n{args.connections} concurrent clients, {args.duration:g} s per measurement, "
        f"median of {args.rounds} rounds; gunicorn {args.workers} worker(s) x {args.threads} "
        f"thread(s); load: {load.tool()}; {multiprocessing.cpu_count()} CPUs shared by "
        f"server and load generator (1-min load average before the run: {load_before:.1f}); "
        "PostgreSQL, LUTETIA_MODE=production.\n"
    )
    print(table(rows))
    if driven:
        print("\n" + measured_table(driven))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
