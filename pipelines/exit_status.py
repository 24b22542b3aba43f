"""The exit status of every `lodestar` command (docs/operations.md).

0: everything asked for was done (a run: everything in the range published);
2: a run completed, but some partitions were blocked or KPIs left stale;
1: the run failed, or the command was given something it cannot use.
"""

EXIT_OK, EXIT_FAILED, EXIT_INCOMPLETE = 0, 1, 2
