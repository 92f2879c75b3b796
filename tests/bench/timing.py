"""Median and p95 of repeated calls, printed beside a baseline measured in the same run."""

import statistics
import time


def measure(call, *, repeat: int = 30, warmup: int = 3) -> dict:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": samples[max(0, int(len(samples) * 0.95) - 1)],
    }


def report(title: str, measured: dict, baseline: dict) -> None:
    ratio = measured["median_ms"] / baseline["median_ms"] if baseline["median_ms"] else 0
    print(
        f"\n{title}\n"
        f"  portal:   median {measured['median_ms']:8.1f} ms   p95 {measured['p95_ms']:8.1f} ms\n"
        f"  baseline: median {baseline['median_ms']:8.1f} ms   p95 {baseline['p95_ms']:8.1f} ms"
        f"   (plain Enterprise.objects.filter(...) page of the same size)\n"
        f"  ratio portal/baseline: {ratio:.1f}x"
    )
