"""`lodestar-dbt`: dbt's command line, less Python's garbage collection at exit.

A dbt process ends holding its whole parsed project: hundreds of thousands
of objects (manifest, Jinja templates, compiled nodes) that Python's last
garbage collection walks one by one before the process may end, about 0.6 s
of every invocation on a 2-core machine, three times in a daily run, for
memory the operating system takes back anyway. gc.freeze() takes every
object out of the collector's sight once dbt is done. Everything a dbt
process must do at exit still happens: the atexit handlers run after it
(dbt-duckdb's closes the warehouse, which checkpoints it; logging flushes its
files), and the objects that are not in a reference cycle are still freed.
"""

import gc

from dbt.cli.main import cli


def main() -> None:
    try:
        cli.main(prog_name="dbt")  # as the `dbt` script: exits with dbt's status
    finally:
        gc.freeze()
