"""Separate processes with their own connections, started together (concurrency tests).

Each process opens its own engine on the test database's URL, waits at a barrier so that
all of them act at the same moment, runs its job and sends back what happened (a result or
the Swedish message of the error). Processes are spawned, not forked: nothing of the
parent's connections or threads is shared.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from typing import Any

from mottagning.db.database import Database, create_db_engine
from mottagning.errors import MottagningError

TIMEOUT_S = 120


def _child(job: Callable[..., Any], url: str, args: tuple[Any, ...], barrier: Any,
           results: Any, number: int) -> None:
    database = Database(url, create_db_engine(url))
    try:
        barrier.wait(TIMEOUT_S)
        results.put((number, "ok", job(database, *args)))
    except MottagningError as exc:
        results.put((number, "refused", str(exc)))
    except BaseException:  # noqa: BLE001 - the parent reports it
        results.put((number, "crashed", traceback.format_exc()))
    finally:
        database.dispose()


def run_together(url: str, job: Callable[..., Any], args_per_process: list[tuple[Any, ...]]
                 ) -> list[tuple[str, Any]]:
    """Run `job(database, *args)` in one process per entry of `args_per_process`, all
    released at once; returns (outcome, value) per process in the order given, where
    outcome is 'ok' (value: the job's result) or 'refused' (value: the message)."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(args_per_process))
    results = context.Queue()
    processes = [
        context.Process(target=_child, args=(job, url, args, barrier, results, n), daemon=True)
        for n, args in enumerate(args_per_process)
    ]
    for process in processes:
        process.start()
    collected: dict[int, tuple[str, Any]] = {}
    try:
        for _ in processes:
            number, outcome, value = results.get(timeout=TIMEOUT_S)
            collected[number] = (outcome, value)
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
    crashed = [value for outcome, value in collected.values() if outcome == "crashed"]
    assert not crashed, "\n".join(crashed)
    return [collected[n] for n in range(len(processes))]
