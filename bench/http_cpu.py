"""Whose CPU a run used, from /proc: the benchmark's own processes (the gunicorn servers, wrk, the PostgreSQL
backends of the benchmark databases) against everything else on the machine (the "other jobs' CPU" column).

The machine is shared: when other jobs take a large share of the cores during a run, its figures are not
comparable with the other rows, and the report says so."""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Snapshot:
    at: float
    busy: float  # seconds of CPU used by everything, all cores
    ours: dict[int, float]  # seconds used so far by each of the benchmark's processes
    children: float  # seconds used by reaped children of this process (wrk)


def _busy_seconds() -> float:
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS


def _process_seconds(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _group_members(groups: set[int]) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in groups:  # pgrp
            members.append(int(entry.name))
    return members


def snapshot(groups: set[int], backends: list[int]) -> Snapshot:
    ours = {}
    for pid in set(_group_members(groups) + backends):
        seconds = _process_seconds(pid)
        if seconds is not None:  # None: the process has ended
            ours[pid] = seconds
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Snapshot(time.monotonic(), _busy_seconds(), ours, usage.ru_utime + usage.ru_stime)


def others_percent(before: Snapshot, after: Snapshot) -> float:
    """CPU used by other jobs during the run, in percent of the whole machine."""
    elapsed = after.at - before.at
    if elapsed <= 0:
        return 0.0
    # Per process: Django replaces its database connections after CONN_MAX_AGE, so backends come and go; a new
    # one counts whole, one that ended during the run loses what it used in it (a small overestimate of others).
    ours = sum(seconds - before.ours.get(pid, 0.0) for pid, seconds in after.ours.items())
    ours += after.children - before.children
    others = max(0.0, (after.busy - before.busy) - ours)
    return 100 * others / (elapsed * (os.cpu_count() or 1))
