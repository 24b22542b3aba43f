{#
  Per-KPI incremental recompute plan (docs/kpis.md).

  A run for extract days [LODESTAR_RANGE_START, LODESTAR_RANGE_END] (A..B)
  must recompute every KPI value whose window contains an event day that
  changed, and nothing else. A change on event day E moves trailing windows up
  to E+27, period-to-date windows to the period's end and snapshots from E on,
  so a KPI is recomputed for every as_of_date >= E, where E is the earliest
  event day the range touched *in the sources that KPI reads*:

    recompute_from(kpi) = least(A, min over the KPI's sources of
        - raw.ingest_log.min_event_date of the range's extracts (the new rows
          and the rows a re-delivered file replaced), and
        - the earliest event date of every stored version of each key the
          range's extracts delivered (a version that moved an event later
          still changes its old day))

  The KPI's sources come from the dbt graph: the model the catalog names for
  the KPI, walked upstream to the raw sources (kpi_source_map(), which the
  quality gate reads too, through int_kpi_sources). So a customer update dated years back
  recomputes customer_acquisition_cost only, not every KPI. Event dates are
  the DATE/TIMESTAMPTZ columns of the raw source other than its version
  column, at their business day. Without a range every KPI is recomputed
  from LODESTAR_START_DATE.

  Reference files (budget, chart of accounts) have no extract day: a new
  version in force (its content fingerprint differs from the one kpi_values
  was last built with, kept by kpi_values' post-hook) recomputes every day of
  the KPIs that read it.
#}

{# A fingerprint of a reference table's content (contract columns only, in a fixed order). #}
{% macro reference_fingerprint(name) -%}
    {%- set columns = contract_table(name)['columns'] | list -%}
    (select md5(coalesce(string_agg(line, '|' order by line), ''))
     from (select cast(row({{ columns | join(', ') }}) as string) as line from raw.{{ name }}))
{%- endmacro %}

{# The relation keeping the reference fingerprints kpi_values was built with. #}
{% macro kpi_reference_fingerprints_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='intermediate', identifier='kpi_reference_fingerprints')) }}
{%- endmacro %}

{# kpi_values' post-hook: remember the reference versions this build used. #}
{% macro record_kpi_reference_fingerprints() -%}
    create or replace table {{ kpi_reference_fingerprints_relation() }} as
    {% for name in contract_table_names() if contract_table(name)['reference'] -%}
    select '{{ name }}' as source, {{ reference_fingerprint(name) }} as fingerprint
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
{%- endmacro %}

{# (source, from_day): earliest event day the range's extracts touched, per raw source. #}
{% macro kpi_changed_sources(range_start, range_end) -%}
    select source, min(min_event_date) as from_day
    from raw.ingest_log
    where extract_date between date '{{ range_start }}' and date '{{ range_end }}'
    group by source
    {%- if execute %}
    {%- set remembered = adapter.get_relation(database=target.database, schema='intermediate', identifier='kpi_reference_fingerprints') -%}
    {%- for name in contract_table_names() if contract_table(name)['reference'] %}
    union all
    -- a new version of a reference file in force: every day of its KPIs
    select '{{ name }}' as source, date '0001-01-01' as from_day
    where {{ reference_fingerprint(name) }} is distinct from
        {% if remembered -%}
        (select fingerprint from {{ remembered }} where source = '{{ name }}')
        {%- else -%}
        null
        {%- endif %}
    {%- endfor %}
    {%- for name in contract_table_names() if not contract_table(name)['reference'] %}
        {%- set table = contract_table(name) -%}
        {%- set key = table['key'] | join(', ') -%}
        {%- set events = [] -%}
        {%- for column, type in table['columns'].items() if column != table['version_column'] -%}
            {%- if type == 'DATE' -%}
                {%- do events.append('v.' ~ column) -%}
            {%- elif type == 'TIMESTAMPTZ' -%}
                {%- do events.append(business_day('v.' ~ column)) -%}
            {%- endif -%}
        {%- endfor %}
        {%- if events %}
    union all
    select '{{ name }}' as source, min(least({{ events | join(', ') }})) as from_day
    from raw.{{ name }} as v
    semi join (
        select distinct {{ key }}
        from raw.{{ name }}
        where _extract_date between date '{{ range_start }}' and date '{{ range_end }}'
    ) as delivered using ({{ key }})
        {%- endif %}
    {%- endfor %}
    {%- endif %}
{%- endmacro %}

{#
  (kpi_id, recompute_from) for every KPI of the catalog, from the run's
  changed sources (int_changed_sources, built from kpi_changed_sources()).
#}
{% macro kpi_recompute_plan() -%}
    {%- set changes = ref('int_changed_sources') -%}
    {%- set range = run_range() -%}
    {%- set sources = kpi_source_map() -%}
    {%- set pairs = [] -%}
    {%- for kpi, kpi_sources in sources.items() | sort -%}
        {%- for src in (kpi_sources or [none]) -%}
            {%- do pairs.append("('" ~ kpi ~ "', " ~ ("'" ~ src ~ "'" if src else "null") ~ ")") -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not pairs -%}{%- do pairs.append("(null, null)") -%}{%- endif -%}
    {%- if range is not none %}
    select kpi_sources.kpi_id, least(date '{{ range[0] }}', min(changed.from_day)) as recompute_from
    from (values {{ pairs | join(', ') }}) as kpi_sources (kpi_id, source)
    left join {{ changes }} as changed using (source)
    where kpi_sources.kpi_id is not null
    group by kpi_sources.kpi_id
    {%- else %}
    select kpi_id, date '{{ env_var("LODESTAR_START_DATE", "2024-01-01") }}' as recompute_from
    from (values {{ pairs | join(', ') }}) as kpi_sources (kpi_id, source)
    where kpi_id is not null
    group by kpi_id
    {%- endif %}
{%- endmacro %}

{#
  In kpi_values: true for the (KPI, as_of_date) pairs this run builds, i.e.
  as_of_date >= the KPI's recompute_from in the `plan` CTE; always true on a
  full build.
#}
{% macro kpi_in_plan(kpi_id, as_of_date) -%}
    {%- if is_incremental() -%}
    exists (select 1 from plan where plan.kpi_id = {{ kpi_id }} and {{ as_of_date }} >= plan.recompute_from)
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}
