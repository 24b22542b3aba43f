"""The landing zone's layout: which files are extracts, and which are ignored.

`<landing>/<source>/<YYYY-MM-DD>.csv|.parquet` is the extract of a source for
a day; `<landing>/reference/<file>` holds the reference files the contract
names. Anything else (a README, a lock file, a name that is not a date, a
date outside the partition range, a folder no source owns) is never loaded,
and each such file is reported once, by name (see `ignored_files`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.sources.contract import Contract
from pipelines.sources.reader import FileRuleError

EXTRACT_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(csv|parquet)$")
REFERENCE_FOLDER = "reference"


def extract_day(name: str) -> date | None:
    """The day of an extract file name, or None when the name is not `<YYYY-MM-DD>.csv|.parquet`."""
    match = EXTRACT_NAME.match(name)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:  # 2026-02-30
        return None


def find_extract(landing: Path, source: str, day: date) -> Path | None:
    """The extract of `source` for `day`; a .csv and a .parquet for one day are ambiguous."""
    candidates = [landing / source / f"{day.isoformat()}.{ext}" for ext in ("csv", "parquet")]
    found = [p for p in candidates if p.exists()]
    if len(found) > 1:
        raise FileRuleError(
            found[0].parent, f"ambiguous extract for {day}: both {found[0].name} and {found[1].name}"
        )
    return found[0] if found else None


@dataclass(frozen=True)
class IgnoredFile:
    path: str  # relative to the landing zone, e.g. "orders/README.md"
    reason: str


def ignored_files(
    landing: Path, contract: Contract, folder: str, first: date, last: date
) -> list[IgnoredFile]:
    """Files under `<landing>/<folder>` that are not loaded, with why.

    `folder` is a source name or `reference`; for `reference`, the entries at
    the landing zone's top level that no source owns are reported too.
    """
    found: list[IgnoredFile] = []
    directory = landing / folder
    if folder == REFERENCE_FOLDER:
        expected = {r.file for r in contract.references.values()}
        for path in _entries(directory):
            if path.name not in expected:
                found.append(
                    IgnoredFile(
                        f"{folder}/{path.name}", f"not a reference file ({', '.join(sorted(expected))})"
                    )
                )
        owned = {*contract.sources, REFERENCE_FOLDER}
        for path in _entries(landing):
            if path.name not in owned:
                kind = "folder" if path.is_dir() else "file"
                found.append(
                    IgnoredFile(path.name, f"a {kind} at the top of the landing zone that no source owns")
                )
        return found
    for path in _entries(directory):
        day = extract_day(path.name)
        if path.is_dir() or day is None:
            found.append(IgnoredFile(f"{folder}/{path.name}", "its name is not <YYYY-MM-DD>.csv or .parquet"))
        elif not first <= day <= last:
            found.append(
                IgnoredFile(f"{folder}/{path.name}", f"{day} is outside the partition range {first}..{last}")
            )
    return found


def _entries(directory: Path) -> list[Path]:
    # Hidden files (.DS_Store, editor swap files) are reported too: they are files a user put there.
    return sorted(directory.iterdir()) if directory.is_dir() else []
