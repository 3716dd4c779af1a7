"""The tasks jobs run, by kind: `@task("kind")` registers one, `registered_task` finds it.

Task modules are imported by `create_app` (`register_job_tasks`), so every
process that builds the app (web, `flask worker`, `elicit.worker.perform`)
knows every task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Progress = Callable[[float, str], None]
Task = Callable[[dict[str, Any], Progress], dict[str, Any] | None]

_tasks: dict[str, Task] = {}


def task(kind: str) -> Callable[[Task], Task]:
    """Register the decorated function as the task that runs jobs of `kind`."""
    def register(function: Task) -> Task:
        _tasks[kind] = function
        return function

    return register


def registered_task(kind: str) -> Task:
    """The task of `kind`.

    :raise KeyError: when no task of that kind was registered (by `create_app`).
    """
    try:
        return _tasks[kind]
    except KeyError:
        raise KeyError(f"No job task of kind {kind!r} is registered; task modules are "
                       "registered in create_app() (register_job_tasks).") from None


def kinds() -> list[str]:
    """The registered kinds, sorted."""
    return sorted(_tasks)
