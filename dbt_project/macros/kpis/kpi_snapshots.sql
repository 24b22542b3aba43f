{#
  State at the end of each calendar day as a running sum of +/- deltas
  (snapshot KPIs, docs/kpis.md): e.g. a ticket adds +1 on the day it opens and -1 on
  the day it is resolved, so the balance on D is the backlog at the end of D.
  No rows x days explosion: deltas are summed per day and slice, then
  accumulated over the calendar.

  - Deltas dated before the first calendar day are folded into the opening
    balance of the first day (an employee hired before the first partition
    counts from day one); deltas after the last loaded day are not reached.
  - The total slice ('all'/'all') has a row for every calendar day, even with
    no deltas at all (a balance of 0). A dimension slice has rows from the day
    of its first delta on: the rows of a day never depend on data of later
    days, so incremental and full runs agree.

  Returns: day, dimension, dimension_value, balance (DECIMAL(38,10), exact).
#}
{% macro kpi_running_balance(relation, day, delta, dimensions=[], where='true') -%}
    with _events as (
        select
            greatest({{ day }}, (select min(day) from {{ ref('int_calendar') }})) as _day,
            *
        from {{ relation }}
        where ({{ where }}) and {{ day }} is not null
    ),

    _deltas as (
        select
            _day as day,
            {{ slice_columns(dimensions) }},
            sum(cast({{ delta }} as decimal(38, 10))) as delta
        from _events
        group by grouping sets ((_day){% for d in dimensions %}, (_day, {{ d }}){% endfor %})
    ),

    _slices as (
        select dimension, dimension_value, min(day) as first_day
        from _deltas
        group by all
        union all
        select 'all', 'all', cast(null as date)
        where not exists (select 1 from _deltas where dimension = 'all')
    ),

    _grid as (
        select calendar.day, _slices.dimension, _slices.dimension_value
        from {{ ref('int_calendar') }} as calendar
        inner join _slices
            on _slices.dimension = 'all' or calendar.day >= _slices.first_day
    )

    select
        _grid.day,
        _grid.dimension,
        _grid.dimension_value,
        sum(coalesce(_deltas.delta, 0)) over (
            partition by _grid.dimension, _grid.dimension_value
            order by _grid.day
            rows between unbounded preceding and current row
        ) as balance
    from _grid
    left join _deltas
        on _deltas.day = _grid.day
        and _deltas.dimension = _grid.dimension
        and _deltas.dimension_value = _grid.dimension_value
{%- endmacro %}

{#
  A snapshot KPI that counts (or sums `weight` over) the rows "open" at the end
  of each day: a row opens on `start` and closes on `end` (never, when null),
  e.g. tickets opened and not yet resolved, or FTE hired and not yet terminated.
  Returns the kpi_values-shaped rows of int_kpi_daily_snapshots.
#}
{% macro kpi_open_interval_snapshot(kpi_id, relation, start, end, weight='1', dimensions=[]) -%}
    with _interval_deltas as (
        select {{ start }} as day, {{ dimensions | join(', ') ~ ',' if dimensions }} {{ weight }} as delta
        from {{ relation }}
        union all
        select {{ end }} as day, {{ dimensions | join(', ') ~ ',' if dimensions }} -({{ weight }}) as delta
        from {{ relation }}
        where {{ end }} is not null
    ),

    _balances as (
        {{ kpi_running_balance('_interval_deltas', 'day', 'delta', dimensions=dimensions) }}
    )

    select
        '{{ kpi_id }}' as kpi_id,
        day,
        dimension,
        dimension_value,
        balance as value,
        balance as numerator,
        cast(null as decimal(38, 10)) as denominator
    from _balances
{%- endmacro %}
