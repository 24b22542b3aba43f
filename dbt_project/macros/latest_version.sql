{#
  The latest accepted version of each key of a raw source (SPEC §4): greatest
  version column (updated_at), on a tie the later extract, then the later line.
  Sources without a version column are immutable per day: the latest extract
  wins. Key and version column come from the source's meta, generated from the
  landing contract (pipelines/sources/contract.yml).
#}
{% macro latest_version(source_name) -%}
    {%- set relation = source('raw', source_name) -%}
    {%- set meta = {'key': ['1'], 'version_column': none} -%}
    {%- if execute -%}
        {%- set node = graph.sources.values() | selectattr('source_name', 'equalto', 'raw') | selectattr('name', 'equalto', source_name) | first -%}
        {%- set meta = node.meta -%}
    {%- endif -%}
    select * exclude (_extract_date, _source_file, _line)
    from {{ relation }}
    qualify row_number() over (
        partition by {{ meta['key'] | join(', ') }}
        order by {% if meta.get('version_column') %}{{ meta['version_column'] }} desc, {% endif %}_extract_date desc, _line desc
    ) = 1
{%- endmacro %}
