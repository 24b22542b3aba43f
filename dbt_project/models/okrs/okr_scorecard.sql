-- The OKR scorecard on the latest loaded day (docs/okrs.md): okr_scorecard_daily's last day.
select *
from {{ ref('okr_scorecard_daily') }}
where as_of_date = (select max(as_of_date) from {{ ref('okr_scorecard_daily') }})
order by sort_key
