"""Run publications in a loop in its own process (killed by a test mid-publish)."""

import sys
from pathlib import Path

from pipelines.publish.publisher import publish
from pipelines.warehouse import connect
from tests.publish.conftest import fill_working, make_settings

if __name__ == "__main__":
    settings = make_settings(Path(sys.argv[1]))
    fill_working(settings, version=2, rows=int(sys.argv[2]))
    print("ready", flush=True)
    while True:
        con = connect(settings.warehouse)
        try:
            publish(con, settings, {"kpis"}, None)
        finally:
            con.close()
