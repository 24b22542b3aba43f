{{ config(**staging_config('fx_rates')) }}
-- Published FX rates: USD per unit of currency, by rate date.
{{ latest_rows('fx_rates') }}
