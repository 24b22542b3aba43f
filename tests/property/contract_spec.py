"""The landing contract (docs/landing-contract.md) as data, for the property tests: each source's columns in file order
with their types, its key, version column and delivery.

Written from docs/landing-contract.md and docs/sources.md, not loaded
from pipelines/sources/contract.yml, so that the reference computation does
not inherit a mistake of the pipeline's contract file. test_contract_spec.py
checks that both name the same columns in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TS, DATE, TEXT, INT, BIGINT = "TIMESTAMPTZ", "DATE", "VARCHAR", "INTEGER", "BIGINT"
MONEY, FTE, RATE = "DECIMAL(18,2)", "DECIMAL(4,2)", "DECIMAL(18,8)"

# Date columns that are plans: never "after the extract day" (docs/landing-contract.md).
PLAN_DATES = frozenset({"promised_date", "due_on", "hired_on", "terminated_on"})

ENUMS = {
    "region": ("NA", "EU", "APAC", "LATAM"),
    "segment": ("consumer", "business"),
    "order_channel": ("web", "mobile", "marketplace", "retail"),
    "order_status": ("placed", "shipped", "delivered", "cancelled", "returned"),
    "ticket_channel": ("email", "chat", "phone"),
    "ticket_priority": ("low", "normal", "high", "urgent"),
    "traffic_channel": ("web", "mobile"),
    "marketing_channel": ("paid_search", "social", "affiliate", "display"),
    "account_type": ("revenue", "cogs", "opex", "asset", "liability", "equity"),
}


@dataclass(frozen=True)
class Table:
    name: str
    system: str
    columns: dict[str, str]  # name -> type, in file order
    key: tuple[str, ...]
    version: str | None = None  # the CDC version column (updated_at)
    every_day: bool = False  # a missing or empty extract blocks the day
    enums: dict[str, str] = field(default_factory=dict)  # column -> ENUMS name

    def events(self) -> list[str]:
        """Date/timestamp columns that may not be after the extract day."""
        return [c for c, t in self.columns.items() if t in (TS, DATE) and c not in PLAN_DATES]


SOURCES = {
    t.name: t
    for t in [
        Table(
            "customers",
            "commerce",
            {"customer_id": TEXT, "created_at": TS, "region": TEXT, "segment": TEXT, "updated_at": TS},
            ("customer_id",),
            version="updated_at",
            enums={"region": "region", "segment": "segment"},
        ),
        Table(
            "orders",
            "commerce",
            {
                "order_id": TEXT,
                "customer_id": TEXT,
                "ordered_at": TS,
                "channel": TEXT,
                "region": TEXT,
                "currency": TEXT,
                "gross_amount": MONEY,
                "discount_amount": MONEY,
                "shipping_amount": MONEY,
                "status": TEXT,
                "updated_at": TS,
            },
            ("order_id",),
            version="updated_at",
            every_day=True,
            enums={"channel": "order_channel", "region": "region", "status": "order_status"},
        ),
        Table(
            "shipments",
            "commerce",
            {
                "shipment_id": TEXT,
                "order_id": TEXT,
                "warehouse": TEXT,
                "carrier": TEXT,
                "shipped_at": TS,
                "promised_date": DATE,
                "delivered_at": TS,
                "updated_at": TS,
            },
            ("shipment_id",),
            version="updated_at",
        ),
        Table(
            "support_tickets",
            "support",
            {
                "ticket_id": TEXT,
                "customer_id": TEXT,
                "channel": TEXT,
                "priority": TEXT,
                "opened_at": TS,
                "first_response_at": TS,
                "resolved_at": TS,
                "csat_score": INT,
                "updated_at": TS,
            },
            ("ticket_id",),
            version="updated_at",
            enums={"channel": "ticket_channel", "priority": "ticket_priority"},
        ),
        Table(
            "nps_responses",
            "support",
            {"response_id": TEXT, "customer_id": TEXT, "responded_at": TS, "score": INT},
            ("response_id",),
        ),
        Table(
            "web_traffic",
            "commerce",
            {"traffic_date": DATE, "region": TEXT, "channel": TEXT, "sessions": BIGINT},
            ("traffic_date", "region", "channel"),
            every_day=True,
            enums={"region": "region", "channel": "traffic_channel"},
        ),
        Table(
            "employees",
            "people",
            {
                "employee_id": TEXT,
                "department": TEXT,
                "hired_on": DATE,
                "terminated_on": DATE,
                "fte": FTE,
                "updated_at": TS,
            },
            ("employee_id",),
            version="updated_at",
        ),
        Table(
            "gl_journal_lines",
            "finance",
            {
                "journal_id": TEXT,
                "line_number": INT,
                "posted_on": DATE,
                "account_code": TEXT,
                "cost_center": TEXT,
                "currency": TEXT,
                "debit": MONEY,
                "credit": MONEY,
                "description": TEXT,
            },
            ("journal_id", "line_number"),
            every_day=True,
        ),
        Table(
            "invoices",
            "finance",
            {
                "invoice_id": TEXT,
                "customer_id": TEXT,
                "issued_on": DATE,
                "due_on": DATE,
                "currency": TEXT,
                "amount": MONEY,
                "paid_on": DATE,
                "updated_at": TS,
            },
            ("invoice_id",),
            version="updated_at",
        ),
        Table(
            "marketing_spend",
            "marketing",
            {"spend_date": DATE, "channel": TEXT, "region": TEXT, "currency": TEXT, "amount": MONEY},
            ("spend_date", "channel", "region"),
            enums={"channel": "marketing_channel", "region": "region"},
        ),
        Table(
            "fx_rates",
            "finance",
            {"rate_date": DATE, "currency": TEXT, "usd_per_unit": RATE},
            ("rate_date", "currency"),
        ),
    ]
}

REFERENCES = {
    "chart_of_accounts": Table(
        "chart_of_accounts",
        "finance",
        {"account_code": TEXT, "account_name": TEXT, "account_type": TEXT, "opex_category": TEXT},
        ("account_code",),
        enums={"account_type": "account_type"},
    ),
    "budget": Table(
        "budget",
        "finance",
        {"budget_month": TEXT, "cost_center": TEXT, "account_type": TEXT, "currency": TEXT, "amount": MONEY},
        ("budget_month", "cost_center", "account_type", "currency"),
        enums={"account_type": "account_type"},
    ),
}
