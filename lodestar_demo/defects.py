"""A tiny, deterministic share of realistic bad rows, so the quarantine has work.

Only applied with ``generate(..., defects=True)`` (the default). Defects come
from their own random stream per day, so every other row is byte-identical
with ``defects=False``. Each defect is a row (or a new version of a row) that
breaks one contract rule; files themselves are never damaged.

- orders, 1 in 2,000 rows: discount_amount above gross_amount
  (breaks discount <= gross)
- support_tickets, 1 in 800 rows with a score: csat_score 7, a 1-10 survey
  leaking in (csat 1-5)
- gl_journal_lines, every 41st day (day number % 41 == 0): an extra manual
  journal ``JM<yyyymmdd>`` whose credit is short (journal balances)
- customers, 1 in 4,000 rows: region ``Europe`` (region enum)
- nps_responses, 1 in 3,000 rows: responded_at 13-30 hours after the end of
  the extract day (UTC), a clock skew that puts it after the end of that day
  in every time zone (event not after its extract day)
- shipments, 1 in 3,000 delivered versions: delivered_at two hours before
  shipped_at (delivered >= shipped)
- invoices, 1 in 3,000 rows: due_on one day before issued_on (due >= issued)
- employees, 1 in 300 rows: fte 1.25 (0 < fte <= 1)
"""

from __future__ import annotations

import numpy as np

from .model import HOUR, Day
from .output import NULL, Frame

RATES = {
    "orders": 1 / 2000,
    "support_tickets": 1 / 800,
    "customers": 1 / 4000,
    "nps_responses": 1 / 3000,
    "shipments": 1 / 3000,
    "invoices": 1 / 3000,
    "employees": 1 / 300,
}
UNBALANCED_JOURNAL_EVERY = 41  # days


def _pick(rng, frame: Frame | None, rate: float, eligible=None) -> np.ndarray:
    if frame is None or len(frame) == 0:
        return np.array([], dtype=np.int64)
    hit = rng.random(len(frame)) < rate
    if eligible is not None:
        hit &= eligible
    return np.flatnonzero(hit)


def inject(day: Day, frames: dict[str, Frame | None]) -> None:
    """Modify the day's frames in place (arrays are copied before writing into them)."""
    rng = day.rng("defects")

    def edit(source: str, column: str, index: np.ndarray, values) -> None:
        if len(index):
            col = frames[source].columns[column].copy()
            col[index] = values
            frames[source].columns[column] = col

    f = frames.get("orders")
    i = _pick(rng, f, RATES["orders"])
    if len(i):
        edit("orders", "discount_amount", i, f.columns["gross_amount"][i] + rng.integers(1, 50_00, len(i)))

    f = frames.get("support_tickets")
    i = _pick(rng, f, RATES["support_tickets"], None if f is None else f.columns["csat_score"] != NULL)
    edit("support_tickets", "csat_score", i, 7)

    f = frames.get("customers")
    i = _pick(rng, f, RATES["customers"])
    if len(i):
        col = f.columns["region"].astype(object)
        col[i] = "Europe"
        f.columns["region"] = col

    f = frames.get("nps_responses")
    i = _pick(rng, f, RATES["nps_responses"])
    # after d1 + 12 h even the last zone to end the day (UTC-12) has left it
    edit("nps_responses", "responded_at", i, day.d1 + rng.integers(13 * HOUR, 30 * HOUR, len(i)))

    f = frames.get("shipments")
    i = _pick(rng, f, RATES["shipments"], None if f is None else f.columns["delivered_at"] != NULL)
    if len(i):
        edit("shipments", "delivered_at", i, f.columns["shipped_at"][i] - 2 * HOUR)

    f = frames.get("invoices")
    i = _pick(rng, f, RATES["invoices"])
    if len(i):
        edit("invoices", "due_on", i, f.columns["issued_on"][i] - 1)

    f = frames.get("employees")
    i = _pick(rng, f, RATES["employees"])
    edit("employees", "fte", i, 125)

    if day.num % UNBALANCED_JOURNAL_EVERY == 0:
        gl = frames["gl_journal_lines"]
        amount = int(rng.integers(100_00, 5_000_00))
        short = int(rng.integers(1, 50_00))
        jid = f"JM{day.date:%Y%m%d}"
        extra = Frame(
            {
                "journal_id": np.array([jid, jid], dtype=object),
                "line_number": np.array([1, 2], dtype=np.int64),
                "account_code": np.array(["6300", "2000"], dtype=object),
                "cost_center": np.array(["engineering", "finance"], dtype=object),
                "currency": np.array(["USD", "USD"], dtype=object),
                "debit": np.array([amount, 0], dtype=np.int64),
                "credit": np.array([0, amount - short], dtype=np.int64),
                "description": np.array(
                    ["manual accrual adjustment", "manual accrual adjustment"], dtype=object
                ),
                "posted_on": np.array([day.num, day.num], dtype=np.int64),
            }
        )
        frames["gl_journal_lines"] = Frame.concat([gl, extra])
