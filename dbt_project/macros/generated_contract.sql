{# Generated from pipelines/sources/contract.yml by `python -m pipelines.sources.derived`. #}
{# The landing contract's facts per raw table (see pipelines/sources/contract.yml). #}
{% macro contract_table(name) -%}
    {%- set tables = {
      "customers": {
        "key": ["customer_id"],
        "version_column": "updated_at",
        "balanced_by": none,
        "reference": false,
        "fx": none,
        "usd_amounts": {},
        "columns": {
          "customer_id": "VARCHAR",
          "created_at": "TIMESTAMPTZ",
          "region": "VARCHAR",
          "segment": "VARCHAR",
          "updated_at": "TIMESTAMPTZ"
        }
      },
      "orders": {
        "key": ["order_id"],
        "version_column": "updated_at",
        "balanced_by": none,
        "reference": false,
        "fx": {
          "currency": "currency",
          "day": "ordered_at"
        },
        "usd_amounts": {
          "gross_amount": 1000000.0,
          "discount_amount": 1000000.0,
          "shipping_amount": 1000000.0
        },
        "columns": {
          "order_id": "VARCHAR",
          "customer_id": "VARCHAR",
          "ordered_at": "TIMESTAMPTZ",
          "channel": "VARCHAR",
          "region": "VARCHAR",
          "currency": "VARCHAR",
          "gross_amount": "DECIMAL(18,2)",
          "discount_amount": "DECIMAL(18,2)",
          "shipping_amount": "DECIMAL(18,2)",
          "status": "VARCHAR",
          "updated_at": "TIMESTAMPTZ"
        }
      },
      "shipments": {
        "key": ["shipment_id"],
        "version_column": "updated_at",
        "balanced_by": none,
        "reference": false,
        "fx": none,
        "usd_amounts": {},
        "columns": {
          "shipment_id": "VARCHAR",
          "order_id": "VARCHAR",
          "warehouse": "VARCHAR",
          "carrier": "VARCHAR",
          "shipped_at": "TIMESTAMPTZ",
          "promised_date": "DATE",
          "delivered_at": "TIMESTAMPTZ",
          "updated_at": "TIMESTAMPTZ"
        }
      },
      "support_tickets": {
        "key": ["ticket_id"],
        "version_column": "updated_at",
        "balanced_by": none,
        "reference": false,
        "fx": none,
        "usd_amounts": {},
        "columns": {
          "ticket_id": "VARCHAR",
          "customer_id": "VARCHAR",
          "channel": "VARCHAR",
          "priority": "VARCHAR",
          "opened_at": "TIMESTAMPTZ",
          "first_response_at": "TIMESTAMPTZ",
          "resolved_at": "TIMESTAMPTZ",
          "csat_score": "INTEGER",
          "updated_at": "TIMESTAMPTZ"
        }
      },
      "nps_responses": {
        "key": ["response_id"],
        "version_column": none,
        "balanced_by": none,
        "reference": false,
        "fx": none,
        "usd_amounts": {},
        "columns": {
          "response_id": "VARCHAR",
          "customer_id": "VARCHAR",
          "responded_at": "TIMESTAMPTZ",
          "score": "INTEGER"
        }
      },
      "web_traffic": {
        "key": ["traffic_date", "region", "channel"],
        "version_column": none,
        "balanced_by": none,
        "reference": false,
        "fx": none,
        "usd_amounts": {},
        "columns": {
          "traffic_date": "DATE",
          "region": "VARCHAR",
          "channel": "VARCHAR",
          "sessions": "BIGINT"
        }
      },
      "employees": {
        "key": ["employee_id"],
        "version_column": "updated_at",
        "balanced_by": none,
        "reference": false,
        "fx": none,
        "usd_amounts": {},
        "columns": {
          "employee_id": "VARCHAR",
          "department": "VARCHAR",
          "hired_on": "DATE",
          "terminated_on": "DATE",
          "fte": "DECIMAL(4,2)",
          "updated_at": "TIMESTAMPTZ"
        }
      },
      "gl_journal_lines": {
        "key": ["journal_id", "line_number"],
        "version_column": none,
        "balanced_by": "journal_id",
        "reference": false,
        "fx": {
          "currency": "currency",
          "day": "posted_on"
        },
        "usd_amounts": {
          "debit": 1000000000.0,
          "credit": 1000000000.0
        },
        "columns": {
          "journal_id": "VARCHAR",
          "line_number": "INTEGER",
          "posted_on": "DATE",
          "account_code": "VARCHAR",
          "cost_center": "VARCHAR",
          "currency": "VARCHAR",
          "debit": "DECIMAL(18,2)",
          "credit": "DECIMAL(18,2)",
          "description": "VARCHAR"
        }
      },
      "invoices": {
        "key": ["invoice_id"],
        "version_column": "updated_at",
        "balanced_by": none,
        "reference": false,
        "fx": {
          "currency": "currency",
          "day": "issued_on"
        },
        "usd_amounts": {
          "amount": 100000000.0
        },
        "columns": {
          "invoice_id": "VARCHAR",
          "customer_id": "VARCHAR",
          "issued_on": "DATE",
          "due_on": "DATE",
          "currency": "VARCHAR",
          "amount": "DECIMAL(18,2)",
          "paid_on": "DATE",
          "updated_at": "TIMESTAMPTZ"
        }
      },
      "marketing_spend": {
        "key": ["spend_date", "channel", "region"],
        "version_column": none,
        "balanced_by": none,
        "reference": false,
        "fx": {
          "currency": "currency",
          "day": "spend_date"
        },
        "usd_amounts": {
          "amount": 10000000.0
        },
        "columns": {
          "spend_date": "DATE",
          "channel": "VARCHAR",
          "region": "VARCHAR",
          "currency": "VARCHAR",
          "amount": "DECIMAL(18,2)"
        }
      },
      "fx_rates": {
        "key": ["rate_date", "currency"],
        "version_column": none,
        "balanced_by": none,
        "reference": false,
        "fx": none,
        "usd_amounts": {},
        "columns": {
          "rate_date": "DATE",
          "currency": "VARCHAR",
          "usd_per_unit": "DECIMAL(18,8)"
        }
      },
      "chart_of_accounts": {
        "key": ["account_code"],
        "version_column": none,
        "balanced_by": none,
        "reference": true,
        "fx": none,
        "usd_amounts": {},
        "columns": {
          "account_code": "VARCHAR",
          "account_name": "VARCHAR",
          "account_type": "VARCHAR",
          "opex_category": "VARCHAR"
        }
      },
      "budget": {
        "key": ["budget_month", "cost_center", "account_type", "currency"],
        "version_column": none,
        "balanced_by": none,
        "reference": true,
        "fx": {
          "currency": "currency",
          "day": "budget_month"
        },
        "usd_amounts": {
          "amount": 10000000000.0
        },
        "columns": {
          "budget_month": "VARCHAR",
          "cost_center": "VARCHAR",
          "account_type": "VARCHAR",
          "currency": "VARCHAR",
          "amount": "DECIMAL(18,2)"
        }
      }
    } -%}
    {{ return(tables[name]) }}
{%- endmacro %}

{# Every raw table of the contract, sources first. #}
{% macro contract_table_names() -%}
    {{ return(["customers", "orders", "shipments", "support_tickets", "nps_responses", "web_traffic", "employees", "gl_journal_lines", "invoices", "marketing_spend", "fx_rates", "chart_of_accounts", "budget"]) }}
{%- endmacro %}
