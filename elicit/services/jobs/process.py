"""Which process holds a thread-backend job, and whether that process is still alive.

A job of the thread backend lives in the thread pool of one web process. When
that process stops (a restart, a crash, `make run` interrupted) the job's row
would stay queued or running, and every reload would wait on it until
JOBS_STALE_AFTER. The row therefore names its process: host name, pid and
the pid's start time (from /proc, so a pid reused by a later process does not
pass for the old one). A process on this host that is gone, or whose pid now
belongs to a newer process, has lost its jobs. A process on another host
cannot be checked from here: its jobs wait for JOBS_STALE_AFTER, as before.
"""

from __future__ import annotations

import os
import socket

UNKNOWN_START = "?"


def this_process() -> str:
    """The identity of the current process: ``host:pid:start``."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def is_gone(runner: str | None) -> bool:
    """Whether `runner` (from `this_process`) names a process of this host that has stopped.

    False when it cannot be told: no runner (RQ, sync), another host, or a
    malformed value.
    """
    if not runner:
        return False
    parts = runner.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    host, pid_text, start = parts
    if host != socket.gethostname():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return start != _start_time(pid)
    if not _alive(pid):
        return True
    return start != UNKNOWN_START and _start_time(pid) not in (start, UNKNOWN_START)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), else "?"."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rpartition(b")")[2].split()
    except OSError:
        return UNKNOWN_START
    # after the command name: field 3 (state) is fields[0], field 22 (starttime) fields[19]
    return fields[19].decode() if len(fields) > 19 else UNKNOWN_START
