"""The loop of the reader processes (bi_reader, marts_reader) that run beside the pipeline."""

import time
from collections.abc import Callable


def until_stopped(stop_file: str, one_round: Callable[[], None]) -> None:
    """Run `one_round` again and again until `stop_file` exists (at least once)."""
    while True:
        one_round()
        try:
            open(stop_file).close()
            return
        except OSError:
            time.sleep(0.05)
