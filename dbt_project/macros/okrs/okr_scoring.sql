{#
  OKR scoring helpers (docs/okrs.md). Shared by kr_progress_daily,
  objective_progress_daily and okr_scorecard so the rules live in one place.
#}

{# Fraction of an increase/decrease period elapsed at the end of day `day`: (D - S + 1) / (E - S + 1). #}
{% macro okr_expected_progress(day, period_start, period_end) -%}
    ({{ days_between(period_start, day) }} + 1)::double
        / ({{ days_between(period_start, period_end) }} + 1)::double
{%- endmacro %}

{#
  Status from a score and the expected progress. A missing score is no_data.
  Tolerances are the dbt vars okr_on_track_tolerance (0.10) and
  okr_at_risk_tolerance (0.25); 1e-9 absorbs floating-point noise at the
  boundaries (a score exactly on expected - tolerance is on the better side).
#}
{% macro okr_status(score, expected) -%}
    case
        when {{ score }} is null then 'no_data'
        when {{ score }} >= 1 then 'achieved'
        when {{ score }} >= {{ expected }} - {{ var('okr_on_track_tolerance', 0.10) }} - 1e-9 then 'on_track'
        when {{ score }} >= {{ expected }} - {{ var('okr_at_risk_tolerance', 0.25) }} - 1e-9 then 'at_risk'
        else 'off_track'
    end
{%- endmacro %}

{# Status of an item on `day` of its period from its score: not_started before the period starts. #}
{% macro okr_status_in_period(day, period_start, score, expected) -%}
    case
        when {{ day }} < {{ period_start }} then 'not_started'
        else {{ okr_status(score, expected) }}
    end
{%- endmacro %}

{# Component of a tree sort key: KRs (kind 0) sort before child objectives (kind 1). #}
{% macro okr_sort_component(kind, sort_order) -%}
    ('{{ kind }}' || lpad(cast({{ sort_order }} as string), 6, '0'))
{%- endmacro %}

{# x clamped to [0, 1]; NULL stays NULL (DuckDB's least/greatest skip NULLs). #}
{% macro okr_clamp01(x) -%}
    case when ({{ x }}) is null then null else greatest(0::double, least(1::double, {{ x }})) end
{%- endmacro %}

{#
  The columns `expected` and `status` of an item on day `day`, from `last`,
  its last scored row by then (a left join on the item's `key`): an item
  without a row is not_started (expected 0) before its period starts, no_data
  after.
#}
{% macro okr_expected_and_status_on(last, key, day, period_start) -%}
    case when {{ last }}.{{ key }} is null and {{ day }} < {{ period_start }} then 0.0 else {{ last }}.expected end
        as expected,
    case
        when {{ last }}.{{ key }} is not null then {{ last }}.status
        when {{ day }} < {{ period_start }} then 'not_started'
        else 'no_data'
    end as status
{%- endmacro %}
