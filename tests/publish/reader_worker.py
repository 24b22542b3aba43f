"""A BI-like reader of marts.duckdb that queries in a loop and reports what it saw.

mode "hold": one connection held open through every publication.
mode "reconnect": a new connection per query (closed after it), as a BI tool
with short-lived connections does; it sees each new publication.
"""

import json
import sys
import time
from pathlib import Path

import duckdb

QUERY = "select count(*), min(value), max(value) from kpi_values"

if __name__ == "__main__":
    # Reads until the test drops the stop file (one more read after it), so a
    # slow machine changes how often it reads, never what it sees last.
    path, mode, stop = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    seen, errors, incomplete = set(), [], 0
    held = duckdb.connect(path, read_only=True) if mode == "hold" else None
    deadline = time.monotonic() + 600  # a stuck test must not leave readers behind
    last_read = False
    while not last_read and time.monotonic() < deadline:
        last_read = stop.exists()
        try:
            con = held or duckdb.connect(path, read_only=True)
            count, low, high = con.execute(QUERY).fetchone()
            if held is None:
                con.close()
            if low != high or count != 1000 * int(low):
                incomplete += 1
            seen.add(int(low))
            stop.with_name(f"{mode}.ready").touch()  # the test publishes once every reader has read
        except Exception as exc:  # noqa: BLE001 - the test asserts there are none
            errors.append(str(exc))
    print(json.dumps({"seen": sorted(seen), "errors": errors[:5], "incomplete": incomplete}))
