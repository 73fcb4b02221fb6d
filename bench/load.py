"""Load generation over real HTTP: wrk when installed, else a small asyncio generator.

Both are bounded in time (and the fallback in request count) and refuse any host
other than 127.0.0.1.
"""

import asyncio
import multiprocessing
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import quantiles
from urllib.parse import urlsplit

WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
WRK_LINE = re.compile(
    r"BENCH requests=(\d+) duration_us=(\d+) errors=(\d+) p50=(\d+) p95=(\d+) p99=(\d+)"
)
MAX_REQUESTS_PER_PROCESS = 500_000
SOCKET_TIMEOUT_S = 10


class LoadError(RuntimeError):
    """The load generator itself failed (not the server being slow)."""


@dataclass(frozen=True)
class Measurement:
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int


def tool() -> str:
    return "wrk" if shutil.which("wrk") else "python (asyncio)"


def measure(url: str, *, connections: int, duration: float) -> Measurement:
    """Hit ``url`` from ``connections`` concurrent clients for ``duration`` seconds."""
    if urlsplit(url).hostname != "127.0.0.1":
        raise LoadError(f"refusing to load anything but 127.0.0.1: {url}")
    if shutil.which("wrk"):
        return _measure_with_wrk(url, connections, duration)
    return _measure_with_python(url, connections, duration)


def _measure_with_wrk(url: str, connections: int, duration: float) -> Measurement:
    threads = max(1, min(connections, multiprocessing.cpu_count()))
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(duration))}s",
        f"--timeout={SOCKET_TIMEOUT_S}s",
        f"--script={WRK_SCRIPT}",
        url,
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    match = WRK_LINE.search(completed.stdout)
    if completed.returncode != 0 or match is None:
        raise LoadError(
            f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}"
        )
    requests, duration_us, errors, p50, p95, p99 = map(int, match.groups())
    return Measurement(
        requests_per_s=requests / (duration_us / 1_000_000),
        p50_ms=p50 / 1000,
        p95_ms=p95 / 1000,
        p99_ms=p99 / 1000,
        requests=requests,
        errors=errors,
    )


def _measure_with_python(url: str, connections: int, duration: float) -> Measurement:
    processes = max(1, min(connections, multiprocessing.cpu_count()))
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    with multiprocessing.Pool(processes) as pool:
        results = pool.starmap(_run_clients, [(url, share, duration) for share in shares])
    latencies = sorted(latency for process_latencies, _ in results for latency in process_latencies)
    errors = sum(process_errors for _, process_errors in results)
    if len(latencies) < 2:
        raise LoadError(f"no successful request to {url} ({errors} errors)")
    cuts = quantiles(latencies, n=100, method="inclusive")
    return Measurement(
        requests_per_s=len(latencies) / duration,
        p50_ms=cuts[49] * 1000,
        p95_ms=cuts[94] * 1000,
        p99_ms=cuts[98] * 1000,
        requests=len(latencies),
        errors=errors,
    )


def _run_clients(url: str, clients: int, duration: float) -> tuple[list[float], int]:
    return asyncio.run(_clients(url, clients, duration))


async def _clients(url: str, clients: int, duration: float) -> tuple[list[float], int]:
    parts = urlsplit(url)
    request = (
        f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\n"
        "User-Agent: lutetia-bench\r\nConnection: close\r\n\r\n"
    ).encode()
    deadline = time.monotonic() + duration
    latencies: list[float] = []
    errors = 0

    async def client():
        nonlocal errors
        while time.monotonic() < deadline and len(latencies) < MAX_REQUESTS_PER_PROCESS:
            started = time.monotonic()
            try:
                status = await asyncio.wait_for(
                    _get(parts.hostname, parts.port, request), SOCKET_TIMEOUT_S
                )
            except (OSError, TimeoutError, ValueError, IndexError):
                errors += 1
                continue
            if status < 400:
                latencies.append(time.monotonic() - started)
            else:
                errors += 1

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, errors


async def _get(host: str, port: int, request: bytes) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        while await reader.read(65536):
            pass
    finally:
        writer.close()
    return int(status_line.split()[1])
