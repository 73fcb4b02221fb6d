"""Foundation: the kernel's own cost, compared with a bare Django view on the same server."""

from bench.harness import Case

CASES = [
    Case("health check", "/healthz", max_p95_ms=50),
    Case("home page", "/", max_p95_ms=50, min_ceiling_ratio=0.5),
]
