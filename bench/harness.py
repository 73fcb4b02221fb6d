"""What a benchmark declares (cases with targets) and how results are judged and printed."""

from dataclasses import dataclass
from statistics import median

from bench.load import Measurement


@dataclass(frozen=True)
class Case:
    """One URL to load, with the targets it must meet."""

    label: str
    path: str
    max_p95_ms: float | None = None
    min_ceiling_ratio: float | None = None

    @property
    def target(self) -> str:
        parts = []
        if self.min_ceiling_ratio is not None:
            parts.append(f"≥ {self.min_ceiling_ratio:.0%} of ceiling")
        if self.max_p95_ms is not None:
            parts.append(f"p95 ≤ {self.max_p95_ms:g} ms")
        return ", ".join(parts) or "-"


@dataclass(frozen=True)
class Row:
    """A case's medians over the rounds, judged against its targets."""

    benchmark: str
    case: Case
    rounds: list[Measurement]
    ceiling_rps: float

    def _median(self, attribute: str) -> float:
        return median(getattr(measurement, attribute) for measurement in self.rounds)

    @property
    def requests_per_s(self) -> float:
        return self._median("requests_per_s")

    @property
    def ratio(self) -> float:
        return self.requests_per_s / self.ceiling_rps if self.ceiling_rps else 0.0

    @property
    def errors(self) -> int:
        return sum(measurement.errors for measurement in self.rounds)

    @property
    def passed(self) -> bool:
        case = self.case
        return (
            self.errors == 0
            and (case.max_p95_ms is None or self._median("p95_ms") <= case.max_p95_ms)
            and (case.min_ceiling_ratio is None or self.ratio >= case.min_ceiling_ratio)
        )

    def cells(self) -> list[str]:
        return [
            self.benchmark,
            self.case.label,
            self.case.path,
            f"{self.requests_per_s:,.0f}",
            f"{self._median('p50_ms'):.1f}",
            f"{self._median('p95_ms'):.1f}",
            f"{self._median('p99_ms'):.1f}",
            f"{self.ratio:.0%}",
            str(self.errors),
            self.case.target,
            "PASS" if self.passed else "MISS",
        ]


HEADERS = [
    "benchmark",
    "case",
    "path",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "vs ceiling",
    "errors",
    "target",
    "result",
]
NUMERIC = {"req/s", "p50 ms", "p95 ms", "p99 ms", "vs ceiling", "errors"}


def table(rows: list[Row]) -> str:
    lines = [HEADERS, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADERS))]

    def render(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if header in NUMERIC else cell.ljust(width)
            for cell, width, header in zip(cells, widths, HEADERS, strict=True)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(HEADERS), rule, *(render(cells) for cells in lines[1:])])


@dataclass(frozen=True)
class Measured:
    """A figure a benchmark measured itself (CPU work, no HTTP), judged against its target."""

    benchmark: str
    label: str
    figure: str
    target: str
    passed: bool | None  # None: for information, no target
    comparison: str = ""


MEASURED_HEADERS = ["benchmark", "case", "figure", "target", "comparison", "result"]


def measured_table(rows: list[Measured]) -> str:
    lines = [MEASURED_HEADERS] + [
        [
            row.benchmark,
            row.label,
            row.figure,
            row.target,
            row.comparison,
            "-" if row.passed is None else ("PASS" if row.passed else "MISS"),
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(MEASURED_HEADERS))]
    rendered = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    ]
    rendered.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(rendered)
