"""Budget: exact tallies of the real pabulib instances, side by side with pabutools (CPU only).

Times ``lutetia.services.budget.rules`` on parsed instances (median of ROUNDS runs):
MES with add1 completion on Wieliczka 2023 and Wrocław 2021 (target ≤ 1 s each), greedy on
every instance (≤ 0.5 s, the worst is shown), and reading the files (for information).
pabutools' iterated MES (``voter_budget_increment=1``, Cost_Sat, on its multiprofile, its
fastest form) runs in a subprocess with a time limit; it stops at the first exhaustive
outcome, so its outcome may differ from add1's.
"""

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Measured
from lutetia.services.budget import pabulib, rules

PABULIB = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pabulib"
ROUNDS = 3
MES_TARGET_S = 1.0
GREEDY_TARGET_S = 0.5
RATIO_AIM = 5
PABUTOOLS_LIMIT_S = 120


def run() -> list[Measured]:
    if not PABULIB.is_dir():
        return [Measured("budget", "pabulib instances", f"missing: {PABULIB}", "-", None)]
    instances = {path.stem: pabulib.read(path) for path in sorted(PABULIB.glob("*.pb"))}
    return [
        mes_add1(instances, "poland_wieliczka_2023"),
        mes_add1(instances, "poland_wroclaw_2021_"),
        greedy_worst(instances),
        parse_worst(),
    ]


def timed(function, rounds: int = ROUNDS) -> tuple[float, object]:
    """Median seconds over ``rounds`` calls, and the last result."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def tally(instance: pabulib.Instance, rule: str, completion: str | None = None):
    costs = {project.id: project.cost for project in instance.projects.values()}
    return rules.tally(
        costs,
        instance.votes,
        instance.budget,
        instance.vote_type,
        rule,
        completion,
        max_length=instance.meta_int("max_length"),
    )


def mes_add1(instances: dict, name: str) -> Measured:
    seconds, outcome = timed(lambda: tally(instances[name], "mes", "add1"))
    return Measured(
        "budget",
        f"MES+add1 {name} ({len(outcome.selected)} projects, {outcome.cost:,})",
        f"{seconds:.3f} s",
        f"≤ {MES_TARGET_S:g} s",
        seconds <= MES_TARGET_S,
        pabutools_comparison(name, seconds),
    )


def pabutools_comparison(name: str, seconds: float) -> str:
    command = [sys.executable, __file__, "pabutools", str(PABULIB / f"{name}.pb")]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=PABUTOOLS_LIMIT_S, check=True
        )
    except subprocess.TimeoutExpired:
        return f"pabutools iterated > {PABUTOOLS_LIMIT_S} s (stopped)"
    except subprocess.CalledProcessError as error:
        return f"pabutools failed: {error.stderr.strip().splitlines()[-1]}"
    reference, projects, cost = done.stdout.split()
    ratio = float(reference) / seconds
    aim = "met" if ratio >= RATIO_AIM else "not met"
    return (
        f"pabutools iterated {float(reference):.3f} s ({projects} projects, {int(cost):,}): "
        f"{ratio:.1f}x faster (aim ≥ {RATIO_AIM}x {aim})"
    )


def greedy_worst(instances: dict) -> Measured:
    times = {
        name: timed(lambda i=instance: tally(i, "greedy"))[0]
        for name, instance in instances.items()
    }
    worst = max(times, key=times.get)
    return Measured(
        "budget",
        f"greedy, worst of {len(times)} instances ({worst})",
        f"{times[worst]:.3f} s",
        f"≤ {GREEDY_TARGET_S:g} s",
        times[worst] <= GREEDY_TARGET_S,
    )


def parse_worst() -> Measured:
    times = {path.stem: timed(lambda p=path: pabulib.read(p))[0] for path in PABULIB.glob("*.pb")}
    worst = max(times, key=times.get)
    return Measured("budget", f"read the file, worst ({worst})", f"{times[worst]:.3f} s", "-", None)


def time_pabutools(path: str) -> None:
    """Subprocess entry: median seconds of pabutools' iterated MES, its size and cost."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import method_of_equal_shares

    instance, profile = parse_pabulib(path)
    multiprofile = profile.as_multiprofile()
    seconds, outcome = timed(
        lambda: method_of_equal_shares(
            instance, multiprofile, sat_class=Cost_Sat, voter_budget_increment=1
        )
    )
    print(seconds, len(outcome), sum(project.cost for project in outcome))


if __name__ == "__main__":
    if sys.argv[1:2] == ["pabutools"]:
        time_pabutools(sys.argv[2])
