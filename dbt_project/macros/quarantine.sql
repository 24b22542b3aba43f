{#
  Row rules that need FX (the landing contract's `fx` and `max_usd`), checked
  on every accepted version of a row of `source_name`:
  - no usable FX rate for the row's currency on the business day of its
    `fx.day` column (or the 7 days before): the row is not converted, it is
    quarantined, and it converts by itself once its rate arrives;
  - an amount above its plausibility bound in USD.
  A group that is accepted or quarantined together (`balanced_by`, a journal)
  is quarantined whole. Returns the quarantine ledger's columns.
#}
{#
  The day whose FX rate converts a row of `source_name` (alias `alias`): the
  business day of the contract's `fx.day` column, the date itself, or the
  first day of a budget month.
#}
{% macro fx_rate_day(source_name, alias) -%}
    {%- set meta = contract_table(source_name) -%}
    {%- set day_column = alias ~ '.' ~ meta['fx']['day'] -%}
    {%- set kind = meta['columns'][meta['fx']['day']] -%}
    {%- if kind == 'TIMESTAMPTZ' -%}{{ business_day(day_column) }}
    {%- elif kind == 'DATE' -%}{{ day_column }}
    {%- else -%}cast({{ day_column }} || '-01' as date){%- endif -%}
{%- endmacro %}

{#
  `where`, when given, restricts the rows judged (a condition on raw alias
  `r`); for a source whose rows are judged by group (`balanced_by`), every
  row of a group with a selected row is judged, so a group is never split.
#}
{% macro conversion_quarantine(source_name, where=none) -%}
    {%- set meta = contract_table(source_name) -%}
    {%- set fx = meta['fx'] -%}
    {%- set types = meta['columns'] -%}
    {%- set rate_day = fx_rate_day(source_name, 'r') -%}
    with versions as (
        select
            r._extract_date,
            r._source_file,
            r._line,
            {% if meta.get('balanced_by') %}r.{{ meta['balanced_by'] }} as _group,{% endif %}
            {{ rate_day }} as rate_day,
            r.{{ fx['currency'] }} as currency,
            {% for amount in meta['usd_amounts'] %}r.{{ amount }},{% endfor %}
            {{ row_json('r', types) }} as raw_row
        from {{ source('raw', source_name) }} as r
        where true
        {% if meta.get('reference') -%}
        -- a plan for months outside the loaded days converts nowhere and needs no rate
        and {{ rate_day }} between (select min(month_start) from {{ ref('int_calendar') }})
                               and (select max(day) from {{ ref('int_calendar') }})
        {%- endif %}
        {% if where and meta.get('balanced_by') -%}
        and (r._extract_date, r.{{ meta['balanced_by'] }}) in (
            select r._extract_date, r.{{ meta['balanced_by'] }} from {{ source('raw', source_name) }} as r where {{ where }})
        {%- elif where -%}
        and ({{ where }})
        {%- endif %}
    ),

    rated as (
        select versions.*, {{ fx_rate('versions', 'currency', 'rate_day') }} as usd_per_unit
        from versions
        {{ fx_join('versions', 'currency', 'rate_day') }}
    ),

    reasons as (
        select
            *,
            {%- set items = [
                "case when usd_per_unit is null then " ~ reason_item("'" ~ fx['currency'] ~ "'",
                    "'no ' || currency || ' rate on ' || cast(rate_day as string) || ' or the 7 days before'") ~ " end"
            ] %}
            {%- for amount, bound in meta['usd_amounts'].items() %}
                {#- in double: an absurd amount must not overflow the exact decimal product #}
                {%- do items.append(
                    "case when cast(" ~ amount ~ " as double) * usd_per_unit > " ~ bound ~ " then "
                    ~ reason_item("'" ~ amount ~ "'",
                        "'" ~ amount ~ " ' || cast(" ~ amount ~ " as string) || ' ' || currency || ' is '"
                        ~ " || printf('%.2f', cast(" ~ amount ~ " as double) * usd_per_unit)"
                        ~ " || ' USD, above the plausibility bound of " ~ "{:,.0f}".format(bound) ~ " USD'")
                    ~ " end") %}
            {%- endfor %}
            {{ reason_list(items) }} as _reasons
        from rated
    ),

    flagged as (
        select * from reasons where {{ reason_count('_reasons') }} > 0
        {% if meta.get('balanced_by') %}
        union all
        -- the other lines of a group with a quarantined line go with it
        select reasons.* except (_reasons),
               {{ reason_list([reason_item("'" ~ meta['balanced_by'] ~ "'",
                   "'" ~ meta['balanced_by'] ~ " ' || reasons._group || ' is quarantined whole: it has a quarantined line'")]) }}
        from reasons
        semi join (select distinct _extract_date, _group from reasons where {{ reason_count('_reasons') }} > 0) as bad
            on bad._extract_date is not distinct from reasons._extract_date and bad._group = reasons._group
        where {{ reason_count('reasons._reasons') }} = 0
        {% endif %}
    )

    select
        '{{ source_name }}' as source,
        _extract_date as extract_date,
        _source_file as source_file,
        _line as line,
        {{ first_reason_column('_reasons') }} as column_name,
        {{ reasons_text('_reasons') }} as reason,
        raw_row,
        currency,
        rate_day
    from flagged
{%- endmacro %}

{#
  The accepted versions of a raw source that convert to USD: every version
  minus the ones conversion_quarantine() rejects. Computed from the source
  itself (not from the ledger table of all sources), so that a model reading
  orders depends on orders and the FX rates only: the quality gate derives each
  KPI's sources from this lineage. `where` restricts the rows (see
  conversion_quarantine); the caller restricts them the same way.
#}
{% macro convertible_rows(source_name, where=none) -%}
    select r.*
    from {{ source('raw', source_name) }} as r
    anti join ({{ conversion_quarantine(source_name, where) }}) as q
        on q.extract_date is not distinct from r._extract_date
        and q.line = r._line
        and q.source_file = r._source_file
{%- endmacro %}

{# The raw tables whose amounts convert to USD (they have an `fx` rule in the contract). #}
{% macro converted_tables() -%}
    {%- set names = [] -%}
    {%- for name in contract_table_names() if contract_table(name)['fx'] -%}{%- do names.append(name) -%}{%- endfor -%}
    {{ return(names) }}
{%- endmacro %}
