{#
  The latest accepted version of each key of a raw source: greatest version
  column (updated_at), on a tie the later extract, then the later line.
  Sources without a version column are immutable per day: the latest extract
  wins. Key and version column come from the landing contract
  (contract_table(), generated from pipelines/sources/contract.yml).
  For a source with amounts in several currencies, versions quarantined for
  want of an FX rate or as implausible (int_quarantine__conversion) are
  skipped: a bad newer version leaves the latest good one in force.

  Returns the contract columns and `_extract_date`, the extract day of the
  version in force. In an incremental staging model (staging_config()), only
  the keys the run may change (changed_keys()) are derived, each from all its
  versions; a key left without any accepted version comes back as a tombstone
  (key only, `_extract_date` null) so that its stored row goes.
#}
{% macro latest_version(source_name) -%}
    {%- set table = contract_table(source_name) -%}
    {%- set key = table['key'] | join(', ') -%}
    {%- do ref('int_changed_sources') -%}  {# parsed unconditionally: the dependency that orders the run #}
    {%- if is_incremental() -%}
    {%- set restricted = '(r.' ~ table['key'] | join(', r.') ~ ') in (select ' ~ key ~ ' from _changed)' -%}
    select *
    from (
        with _changed as ({{ changed_keys(source_name) }})
        select _changed.*, _latest.* except ({{ key }})
        from _changed
        left join ({{ _latest_versions(source_name, restricted) }}) as _latest using ({{ key }})
    )
    {%- else -%}
    {{ _latest_versions(source_name) }}
    {%- endif %}
{%- endmacro %}

{% macro _latest_versions(source_name, where=none) -%}
    {%- set table = contract_table(source_name) -%}
    select * except (_source_file, _line)
    from (
        {% if table['fx'] -%}
        {{ convertible_rows(source_name, where) }}
        {%- else -%}
        select * from {{ source('raw', source_name) }} as r
        {%- endif %}
        {% if where %}where {{ where }}{% endif %}
    ) as versions
    qualify row_number() over (
        partition by {{ table['key'] | join(', ') }}
        order by {% if table['version_column'] %}{{ table['version_column'] }} desc, {% endif %}_extract_date desc, _line desc
    ) = 1
{%- endmacro %}

{#
  The body of a staging model: the latest version of each key of raw
  `source_name` (latest_version()), its contract columns in contract order,
  each column of `business_days` (a timestamp `<name>_at`) followed by its
  business day `<name>_on`, and `_extract_date`.
#}
{% macro latest_rows(source_name, business_days=[]) -%}
with latest as ({{ latest_version(source_name) }})

select
    {%- for column in contract_table(source_name)['columns'] %}
    {{ column }},
    {%- if column in business_days %}
    {{ business_day(column) }} as {{ column[:-3] ~ '_on' }},
    {%- endif %}
    {%- endfor %}
    _extract_date
from latest
{%- endmacro %}
