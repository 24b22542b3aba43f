"""Connections to the working warehouse: the one home for DuckDB settings.

Only the pipeline opens the working database (one writer per file); readers use
the published copy (pipelines/publish).
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.config import Settings

LOCK_RETRY_SECONDS = (1, 2, 4, 8, 15)


def _connect_once(path: Path, timezone: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=read_only, config={"autoinstall_known_extensions": False})
    # Timestamps without an offset are read in the business time zone (docs/landing-contract.md);
    # icu is built in, but must be loaded before the setting exists.
    con.execute("load icu")
    con.execute(f"set TimeZone = '{timezone}'")  # validated by Settings
    return con


def connect(
    path: Path, timezone: str = "UTC", read_only: bool = False, log=None
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file, retrying while another process holds its lock."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    for attempt, pause in enumerate((*LOCK_RETRY_SECONDS, None), start=1):
        try:
            return _connect_once(path, timezone, read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or pause is None:
                raise
            if log:
                log.warning(
                    f"{path} is locked by another process (attempt {attempt}); retrying in {pause}s: {exc}"
                )
            time.sleep(pause)
    raise AssertionError("unreachable")


@contextmanager
def working_db(settings: Settings, log=None) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(settings.warehouse, settings.timezone, log=log)
    try:
        yield con
    finally:
        con.close()


_OPEN_TRANSACTIONS: set[int] = set()  # ids of connections inside transaction()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All-or-nothing writes: a new transaction committed on success and rolled
    back on error, or, inside another `transaction(con)`, simply part of it.

    Nesting is tracked here: in DuckDB a second BEGIN fails and aborts the
    transaction that is open, so it must never be tried.
    """
    key = id(con)
    if key in _OPEN_TRANSACTIONS:
        yield
        return
    con.execute("begin transaction")
    _OPEN_TRANSACTIONS.add(key)
    try:
        yield
    except BaseException:
        _OPEN_TRANSACTIONS.discard(key)
        con.execute("rollback")
        raise
    _OPEN_TRANSACTIONS.discard(key)
    con.execute("commit")


LOCK_WAIT_SECONDS = float(os.environ.get("LODESTAR_LOCK_WAIT_SECONDS", "600"))


class RunLockTimeout(RuntimeError):
    pass


@contextmanager
def run_lock(settings: Settings, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold `<warehouse>.lock` for the whole run; wait for a running one, then give up clearly."""
    lock_path = settings.warehouse.with_name(settings.warehouse.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as handle:
        deadline = time.monotonic() + wait_seconds
        announced = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                if time.monotonic() >= deadline:
                    raise RunLockTimeout(
                        f"another run ({holder}) still holds {lock_path} after {wait_seconds:.0f}s; nothing was changed"
                    ) from None
                if not announced:
                    print(f"lodestar: waiting for the run holding {lock_path} ({holder})", file=sys.stderr)
                    announced = True
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
