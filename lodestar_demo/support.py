"""Support desk: tickets whose response times react to the backlog, CSAT and NPS.

The desk's capacity follows the expected ticket volume. Each morning the
load factor ``((open backlog + expected tickets) / (capacity * LOAD_REF))**0.6``
(clipped to 0.7..6; about 1 on an ordinary day) stretches the first-response and resolution times of the
tickets opened that day, so a surge or a capacity drop builds a backlog that
drains over the following weeks. CSAT falls with slow resolutions and with
late deliveries; NPS follows the share of late deliveries and the desk load.
"""

from __future__ import annotations

import numpy as np

from .commerce import Commerce
from .model import (
    DAY,
    DESK_HOURLY,
    ENUMS,
    HOUR,
    NEVER,
    TICKET_WEEKDAY,
    Day,
    check_keys,
    growth,
    ids,
    intraday,
)
from .output import NULL, Frame
from .store import Schedule

TICKETS_SF1 = 330.0
NPS_SF1 = 220.0
SUPPORT_GROWTH = 0.18
DESK_OFFSET_MIN = 60  # the desk's system writes +01:00 timestamps
CHANNEL_MIX = {"email": 0.45, "chat": 0.35, "phone": 0.20}
PRIORITY_MIX = {"low": 0.30, "normal": 0.45, "high": 0.20, "urgent": 0.05}
FIRST_RESPONSE_H = {"email": 3.0, "chat": 0.08, "phone": 0.03}
RESOLUTION_H = {"low": 48.0, "normal": 24.0, "high": 10.0, "urgent": 4.0}
PRIORITY_SPEED = {"low": 1.4, "normal": 1.0, "high": 0.6, "urgent": 0.3}
CSAT_RESPONSE_P = 0.35
LOAD_REF = 2.45  # (backlog + intake) / capacity on an ordinary day
LOAD_EXPONENT = 0.6  # < 1 keeps the queue stable: a backlog drains once capacity is back
BASE_LATE_SHARE = 0.05  # late deliveries customers take in their stride
check_keys("ticket channels", CHANNEL_MIX, "ticket_channel")
check_keys("priorities", PRIORITY_MIX, "ticket_priority")
check_keys("first response", FIRST_RESPONSE_H, "ticket_channel")
check_keys("resolution", RESOLUTION_H, "ticket_priority")

CHANNELS = list(ENUMS["ticket_channel"])
PRIORITIES = list(ENUMS["ticket_priority"])
_CHANNEL_STR = np.array(CHANNELS)
_PRIORITY_STR = np.array(PRIORITIES)
_DETRACTOR_W = np.array([0.04, 0.03, 0.05, 0.08, 0.12, 0.28, 0.40])


class Support:
    def __init__(self, scale: float):
        self.scale = scale
        self.tickets = Schedule()
        self.resolving: dict[int, int] = {}
        self.open = 0
        self.next_ticket = self.next_response = 1
        self.load = 1.0

    def step(self, day: Day, commerce: Commerce) -> dict:
        late_excess = max(0.0, commerce.late_share - BASE_LATE_SHARE)
        n_customers = len(commerce.customers)
        out = {
            "support_tickets": self._tickets(day, day.rng("tickets"), late_excess, n_customers),
            "nps_responses": self._nps(day, day.rng("nps"), late_excess, n_customers),
        }
        return out

    def _tickets(self, day: Day, rng, late_excess: float, n_customers: int) -> Frame | None:
        base = TICKETS_SF1 * self.scale * growth(day.date, SUPPORT_GROWTH) * (0.6 + 0.4 * day.season)
        expected = base * TICKET_WEEKDAY[day.dow] * (1 + 4 * late_excess)  # where-is-my-order tickets
        capacity = base
        if day.incidents.active("support_backlog", day.num):
            expected *= 2.0
            capacity *= 0.4
        self.load = float(
            np.clip(((self.open + expected) / (capacity * LOAD_REF)) ** LOAD_EXPONENT, 0.7, 6.0)
        )

        n = int(rng.poisson(expected))
        if n:
            channel = rng.choice(len(CHANNELS), size=n, p=[CHANNEL_MIX[c] for c in CHANNELS])
            priority = rng.choice(len(PRIORITIES), size=n, p=[PRIORITY_MIX[p] for p in PRIORITIES])
            t_open = np.sort(intraday(rng, day.d0, n, DESK_OFFSET_MIN, DESK_HOURLY))
            first_h = (
                np.array([FIRST_RESPONSE_H[c] for c in CHANNELS])[channel]
                * np.array([PRIORITY_SPEED[p] for p in PRIORITIES])[priority]
                * self.load
                * np.exp(rng.normal(0, 0.6, n))
            )
            t_first = t_open + np.maximum((first_h * HOUR).astype(np.int64), 30)
            res_base = np.array([RESOLUTION_H[p] for p in PRIORITIES])[priority]
            res_h = res_base * self.load * np.exp(rng.normal(0, 0.7, n))
            t_res = np.minimum(t_first + (res_h * HOUR).astype(np.int64), t_open + 30 * DAY)
            ratio = (t_res - t_open) / HOUR / res_base
            p_good = 0.93 - 0.38 * np.clip(np.log(np.maximum(ratio, 1e-9)) / np.log(8), 0, 1) - late_excess
            good = rng.random(n) < p_good
            score = np.where(
                good, np.where(rng.random(n) < 0.62, 5, 4), rng.choice([1, 2, 3], n, p=[0.3, 0.3, 0.4])
            )
            answered = rng.random(n) < CSAT_RESPONSE_P
            t_csat = np.where(answered, t_res + rng.integers(HOUR // 2, 48 * HOUR, n), NEVER)
            tnum = np.arange(self.next_ticket, self.next_ticket + n, dtype=np.int64)
            self.next_ticket += n
            self.tickets.add(
                {
                    "tnum": tnum,
                    "customer": rng.integers(1, n_customers + 1, n),
                    "channel": channel,
                    "priority": priority,
                    "t_open": t_open,
                    "t_first": t_first,
                    "t_res": t_res,
                    "t_csat": t_csat,
                    "score": score.astype(np.int64),
                },
                ["t_open", "t_first", "t_res", "t_csat"],
            )
            days, counts = np.unique(t_res // DAY, return_counts=True)
            for d, c in zip(days.tolist(), counts.tolist(), strict=True):
                self.resolving[d] = self.resolving.get(d, 0) + c
            self.open += n
        self.open -= self.resolving.pop(day.num, 0)

        b = self.tickets.pop(day.num)
        if b is None:
            return None
        end = day.d1
        times = np.stack([b["t_open"], b["t_first"], b["t_res"], b["t_csat"]], axis=1)
        return Frame(
            {
                "ticket_id": ids("T", b["tnum"], 7),
                "customer_id": ids("C", b["customer"], 7),
                "channel": _CHANNEL_STR[b["channel"]],
                "priority": _PRIORITY_STR[b["priority"]],
                "opened_at": b["t_open"],
                "first_response_at": np.where(b["t_first"] < end, b["t_first"], NULL),
                "resolved_at": np.where(b["t_res"] < end, b["t_res"], NULL),
                "csat_score": np.where(b["t_csat"] < end, b["score"], NULL),
                "updated_at": np.where(times < end, times, -1).max(axis=1),
            },
            offset_min=DESK_OFFSET_MIN,
        )

    def _nps(self, day: Day, rng, late_excess: float, n_customers: int) -> Frame | None:
        expected = NPS_SF1 * self.scale * growth(day.date, SUPPORT_GROWTH) * (0.8 if day.dow >= 5 else 1.05)
        n = int(rng.poisson(expected))
        if n == 0:
            return None
        stress = self.load - 1.0
        p_promoter = float(np.clip(0.50 - 1.2 * late_excess - 0.05 * stress, 0.05, 0.8))
        p_detractor = float(np.clip(0.15 + 1.2 * late_excess + 0.07 * stress, 0.05, 0.8))
        p_passive = max(1.0 - p_promoter - p_detractor, 0.05)
        kind = rng.choice(
            3,
            size=n,
            p=np.array([p_promoter, p_passive, p_detractor]) / (p_promoter + p_passive + p_detractor),
        )
        score = np.select(
            [kind == 0, kind == 1],
            [np.where(rng.random(n) < 0.55, 10, 9), np.where(rng.random(n) < 0.55, 8, 7)],
            rng.choice(7, size=n, p=_DETRACTOR_W / _DETRACTOR_W.sum()),
        )
        rnum = np.arange(self.next_response, self.next_response + n, dtype=np.int64)
        self.next_response += n
        return Frame(
            {
                "response_id": ids("R", rnum, 7),
                "customer_id": ids("C", rng.integers(1, n_customers + 1, n), 7),
                "responded_at": np.sort(intraday(rng, day.d0, n, 0)),
                "score": score.astype(np.int64),
            }
        )
