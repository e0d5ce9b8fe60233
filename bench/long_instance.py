"""Benchmark: the cost of a step in a long instance (issue 14).

One instance of ../shared/bench/loop.bpmn (`bench_loop`) over REST, on the server
`make run` uses: the user task `step` is found in the task list and completed with
`confirmed` false, LOOP_STEPS times, then once with true; the instance must then be
completed. Each complete is timed by the client.

- growth_ratio: median complete of steps 481–500 over steps 1–20 (target ≤ 1.5);
- step_10000_ms: the time of step 10,000, and the median of steps 9,981–10,000.
"""
from __future__ import annotations

import os
import statistics
import time

LOOP_STEPS = int(os.environ.get("BENCH_LOOP_STEPS", "10000"))
PROCESS_KEY = "bench_loop"
WARM_UP_STEPS = 50


def loop_files(shared_bench) -> dict[str, bytes]:
    return {"loop.bpmn": (shared_bench / "loop.bpmn").read_bytes(),
            "bench/confirm.schema.json": (shared_bench / "forms" / "confirm.schema.json").read_bytes()}


def bench_long_instance(officer, deploy) -> dict:
    """`officer`: a REST client; `deploy(files)` deploys the loop model as an analyst."""
    deploy()
    # A first, short instance warms the server (its threads, statements and caches), as the
    # three-step benchmark does: what is compared below is one instance with itself.
    _run(officer, WARM_UP_STEPS)
    return figures_of(_run(officer, LOOP_STEPS))


def _run(officer, steps: int) -> list[float]:
    """One instance through `steps` rounds, then to its end; the time of each round."""
    instance = officer.call("POST", f"/process-definition/key/{PROCESS_KEY}/start", {})
    timings = [_step(officer, instance["id"], confirmed=False) for _ in range(steps)]
    _step(officer, instance["id"], confirmed=True)
    ended = officer.call("GET", f"/history/process-instance?processInstanceId={instance['id']}")
    if ended[0]["state"] != "COMPLETED":
        raise RuntimeError(f"the loop instance ended as {ended[0]['state']}, not COMPLETED")
    return timings


def _step(client, instance_id: str, confirmed: bool) -> float:
    (task,) = client.call("GET", f"/task?processInstanceId={instance_id}")
    began = time.perf_counter()
    client.call("POST", f"/task/{task['id']}/complete",
                {"variables": {"confirmed": {"value": confirmed, "type": "Boolean"}}})
    return (time.perf_counter() - began) * 1000


def figures_of(timings: list[float]) -> dict:
    first, later = statistics.median(timings[:20]), statistics.median(timings[480:500])
    figures = {
        "loop_steps_1_20_median_ms": round(first, 2),
        "loop_steps_481_500_median_ms": round(later, 2),
        "growth_ratio": round(later / first, 2),
    }
    if len(timings) >= 10_000:
        figures["step_10000_ms"] = round(timings[9_999], 2)
        figures["loop_steps_9981_10000_median_ms"] = round(statistics.median(timings[9_980:10_000]), 2)
    return figures
