"""HR system: employees by department (the departments are the cost centers).

Headcount follows a growing target per department; attrition gives notice
(terminated_on up to three weeks ahead), and leavers are replaced. One hire in
five is keyed in one to five days late (a late-arriving change). The first
extract is a snapshot of the HR system, former employees included.

With ``offers_ahead`` (messy mode) a share of hires are accepted offers: the
record is keyed the day the offer is accepted, with a ``hired_on`` one to five
weeks ahead; the person counts towards the department's target from then on
but is paid (and counted in headcount) only from ``hired_on``. The initial
load then also holds the offers accepted in the weeks before (about one
department in two has one), so even a short range shows some.
"""

from __future__ import annotations

import numpy as np

from .model import DAY, HOUR, Day, growth, ids
from .output import NULL, Frame

DEPARTMENTS = ["sales", "marketing", "engineering", "support", "operations", "finance"]
DEPARTMENT_SHARE = {
    "sales": 0.14,
    "marketing": 0.10,
    "engineering": 0.30,
    "support": 0.18,
    "operations": 0.18,
    "finance": 0.10,
}
# payroll currency and mean annual salary per FTE; support and operations sit in the EU
SALARY = {
    "sales": ("USD", 105_000),
    "marketing": ("USD", 100_000),
    "engineering": ("USD", 145_000),
    "support": ("EUR", 52_000),
    "operations": ("EUR", 58_000),
    "finance": ("USD", 110_000),
}
HEADCOUNT_SF1 = 170.0
HEADCOUNT_FLOOR = 12.0  # small scales still staff every department
HEADCOUNT_GROWTH = 0.12
ATTRITION_PER_YEAR = 0.13
HR_OFFSET_MIN = -480  # the HR system writes US Pacific timestamps
OFFER_P = 0.4  # messy mode: share of hires keyed as accepted offers
OFFER_LEAD_DAYS = (7, 36)  # start date this many days after the offer is keyed
SNAPSHOT_OFFER_P = 0.5  # departments with an accepted offer in the initial load
_DEPT_STR = np.array(DEPARTMENTS)


class People:
    def __init__(self, scale: float, offers_ahead: bool = False):
        self.scale = scale
        self.offers_ahead = offers_ahead
        self.offers: list[int] = []  # employees keyed ahead of hired_on who have not started yet
        self.dept: list[int] = []
        self.hired: list[int] = []  # day numbers
        self.term: list[int | None] = []
        self.fte: list[int] = []  # hundredths
        self.factor: list[float] = []  # individual salary factor
        self.pending: dict[int, list[tuple[int, int]]] = {}  # visible day -> (employee, updated_at)

    def targets(self, day: Day) -> list[int]:
        total = max(HEADCOUNT_SF1 * self.scale, HEADCOUNT_FLOOR) * growth(day.date, HEADCOUNT_GROWTH)
        return [max(1, int(round(total * DEPARTMENT_SHARE[d]))) for d in DEPARTMENTS]

    def _add(self, rng, dept: int, hired: int, term: int | None = None) -> int:
        self.dept.append(dept)
        self.hired.append(hired)
        self.term.append(term)
        self.fte.append(100 if rng.random() < 0.9 else int(rng.choice([50, 60, 80])))
        self.factor.append(float(np.exp(rng.normal(0, 0.15))))
        return len(self.dept) - 1

    def _office_time(self, rng, day_num: int) -> int:
        return day_num * DAY + int(rng.integers(16 * HOUR, 25 * HOUR)) % DAY  # 08:00-17:00 Pacific

    def step(self, day: Day) -> Frame | None:
        rng = day.rng("people")
        # offers draw from their own stream: the default roster stays as it is without them
        offer_rng = day.rng("offers") if self.offers_ahead else None
        emitted: dict[int, int] = {}
        if day.first:
            self._snapshot(day, rng, emitted, offer_rng)
        if day.dow < 5:
            self._changes(day, rng, emitted, offer_rng)
        for emp, updated in self.pending.pop(day.num, []):
            emitted[emp] = max(emitted.get(emp, updated), updated)
        if not emitted:
            return None
        emp = np.array(sorted(emitted), dtype=np.int64)
        return Frame(
            {
                "employee_id": ids("E", emp + 1, 5),
                "department": _DEPT_STR[[self.dept[e] for e in emp]],
                "hired_on": np.array([self.hired[e] for e in emp], dtype=np.int64),
                "terminated_on": np.array(
                    [NULL if self.term[e] is None else self.term[e] for e in emp], dtype=np.int64
                ),
                "fte": np.array([self.fte[e] for e in emp], dtype=np.int64),
                "updated_at": np.array([emitted[e] for e in emp], dtype=np.int64),
            },
            offset_min=HR_OFFSET_MIN,
        )

    def _snapshot(self, day: Day, rng, emitted: dict, offer_rng=None) -> None:
        for dept, target in enumerate(self.targets(day)):
            n_former = int(rng.binomial(target, 0.3))
            for i in range(n_former + target):
                hired = day.num - int(1 + 1460 * rng.random() ** 1.3)
                emp = self._add(rng, dept, hired)
                updated = self._office_time(rng, hired)
                if i < n_former and day.num - hired > 30:  # a former employee
                    self.term[emp] = hired + int(rng.integers(20, day.num - hired))
                    noticed = self._office_time(rng, self.term[emp] - int(rng.integers(1, 15)))
                    updated = max(updated, noticed)
                emitted[emp] = min(updated, day.d0 - 1)
        if offer_rng is None:
            return
        # after the roster, so that its employee ids are those of the default output
        for dept in range(len(DEPARTMENTS)):
            if offer_rng.random() < SNAPSHOT_OFFER_P:
                emp = self._add(offer_rng, dept, day.num + int(offer_rng.integers(*OFFER_LEAD_DAYS)))
                self.offers.append(emp)
                emitted[emp] = self._office_time(offer_rng, day.num - int(offer_rng.integers(1, 15)))

    def _active(self, day_num: int) -> list[int]:
        return [
            e
            for e in range(len(self.dept))
            if self.hired[e] <= day_num and (self.term[e] is None or self.term[e] > day_num)
        ]

    def _changes(self, day: Day, rng, emitted: dict, offer_rng=None) -> None:
        self.offers = [e for e in self.offers if self.hired[e] > day.num]
        staying = [e for e in self._active(day.num) if self.term[e] is None]
        by_dept = {d: [e for e in staying if self.dept[e] == d] for d in range(len(DEPARTMENTS))}
        # attrition (with notice), never emptying a department
        for members in by_dept.values():
            remaining = len(members)
            for e in members:
                if remaining <= 1:
                    break
                if day.num - self.hired[e] > 30 and rng.random() < ATTRITION_PER_YEAR / 260:
                    self.term[e] = day.num + int(rng.integers(1, 22))
                    emitted[e] = self._office_time(rng, day.num)
                    remaining -= 1
        # part-time changes
        for e in staying:
            if self.term[e] is None and rng.random() < 0.04 / 260:
                self.fte[e] = 80 if self.fte[e] == 100 else 100
                emitted[e] = self._office_time(rng, day.num)
        # hiring towards the target; accepted offers fill a seat before they start
        for d, target in enumerate(self.targets(day)):
            have = sum(1 for e in by_dept[d] if self.term[e] is None)
            have += sum(1 for e in self.offers if self.dept[e] == d)
            if have < target and (have == 0 or rng.random() < 0.3):
                emp = self._add(rng, d, day.num)
                late = int(rng.integers(1, 6)) if rng.random() < 0.2 else 0
                updated = self._office_time(rng, day.num + late)
                if offer_rng is not None and offer_rng.random() < OFFER_P:
                    self.hired[emp] = day.num + int(offer_rng.integers(*OFFER_LEAD_DAYS))
                    self.offers.append(emp)
                    emitted[emp] = self._office_time(offer_rng, day.num)
                elif late:
                    self.pending.setdefault(day.num + late, []).append((emp, updated))
                else:
                    emitted[emp] = updated

    def payroll(self, day: Day) -> dict[str, tuple[str, float, float]]:
        """Per department: (currency, FTE employed today, salary cost of the day in that currency)."""
        out = {d: [SALARY[d][0], 0.0, 0.0] for d in DEPARTMENTS}
        for e in self._active(day.num):
            name = DEPARTMENTS[self.dept[e]]
            out[name][1] += self.fte[e] / 100
            out[name][2] += self.fte[e] / 100 * SALARY[name][1] * self.factor[e] / 365
        return {k: tuple(v) for k, v in out.items()}
