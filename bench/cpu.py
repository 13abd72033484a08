"""CPU time of processes from /proc, to show which side of a run was busy.

A process tree's time is its own user+system time, what its reaped children used (cutime,
cstime: PostgreSQL backends that exited), and the same for each live descendant. Threads are
included (/proc/PID/stat counts all of a process's threads: aiosqlite's, wrk's).
"""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None  # exited meanwhile
    # The command name (field 2) is in parentheses and may contain spaces: split after it.
    return raw[raw.rindex(")") + 2 :].split()


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))) is not None:
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def tree_cpu_seconds(pid: int) -> float:
    """User+system seconds of ``pid`` and all its descendants, live or reaped."""
    tree = _children()
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        fields = _stat_fields(current)
        if fields is None:
            continue
        # Fields 14..17 of /proc/PID/stat (utime, stime, cutime, cstime); index 0 here is field 3.
        total += sum(int(value) for value in fields[11:15])
        pending.extend(tree.get(current, []))
    return total / _TICKS


def machine_busy_seconds() -> float:
    """Seconds all cores of the machine spent busy since boot (/proc/stat: everything but idle
    and iowait), to tell how much else ran during a measurement."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    return (user + nice + system + irq + softirq + steal) / _TICKS


def reaped_children_cpu_seconds() -> float:
    """User+system seconds of this process's children that have been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class CpuUse:
    """CPU seconds each watched process tree used during a ``measured`` block."""

    seconds: dict[str, float] = field(default_factory=dict)


@contextmanager
def measured(trees: dict[str, int], reaped_as: str) -> Iterator[CpuUse]:
    """Measure the trees of ``trees`` (name -> PID), as ``reaped_as`` the children this process
    reaps inside the block (the load generator, which exits before we can read /proc), and as
    "machine" the whole machine (ours, the kernel's network work and anything else running)."""
    use = CpuUse()
    before = {name: tree_cpu_seconds(pid) for name, pid in trees.items()}
    reaped_before = reaped_children_cpu_seconds()
    machine_before = machine_busy_seconds()
    yield use
    for name, pid in trees.items():
        use.seconds[name] = tree_cpu_seconds(pid) - before[name]
    use.seconds[reaped_as] = reaped_children_cpu_seconds() - reaped_before
    use.seconds["machine"] = machine_busy_seconds() - machine_before
