{#
  The latest accepted version of each key of a raw source: greatest version
  column (updated_at), on a tie the later extract, then the later line.
  Sources without a version column are immutable per day: the latest extract
  wins. Key and version column come from the landing contract
  (contract_table(), generated from pipelines/sources/contract.yml).
  For a source with amounts in several currencies, versions quarantined for
  want of an FX rate or as implausible (int_quarantine__conversion) are
  skipped: a bad newer version leaves the latest good one in force.
#}
{% macro latest_version(source_name) -%}
    {%- set table = contract_table(source_name) -%}
    select * exclude (_extract_date, _source_file, _line)
    from (
        {% if table['fx'] -%}
        {{ convertible_rows(source_name) }}
        {%- else -%}
        select * from {{ source('raw', source_name) }}
        {%- endif %}
    ) as versions
    qualify row_number() over (
        partition by {{ table['key'] | join(', ') }}
        order by {% if table['version_column'] %}{{ table['version_column'] }} desc, {% endif %}_extract_date desc, _line desc
    ) = 1
{%- endmacro %}
