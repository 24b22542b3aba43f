-- Nothing is lost: for every source partition, rows read = accepted + quarantined.
select *
from {{ ref('quarantine_summary') }}
where rows_read <> rows_accepted + rows_quarantined
