"""The business catalog users edit: the KPI catalog (okrs/kpis.yml) and OKR sets."""
