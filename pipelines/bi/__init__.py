"""What analysts, BI tools and OKR reviews see: BI marts (dbt, models/marts/bi),
the HTML scorecard report, Parquet documentation and a DuckDB SQLAlchemy
dialect whose reflection works."""
