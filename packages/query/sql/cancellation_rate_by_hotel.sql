-- Cancellation rate by hotel: bookings, cancellations and the share canceled, per hotel, over the
-- arrival years asked for (all years by default).
-- @param from_year int optional first arrival year included
-- @param to_year int optional last arrival year included
SELECT
  b.hotel,
  count(*) AS bookings,
  sum(b.is_canceled) AS cancellations,
  round(avg(CAST(b.is_canceled AS double)), 4) AS cancellation_rate
FROM curated.bookings b
WHERE (CAST(? /* from_year */ AS integer) IS NULL OR b.arrival_year >= CAST(? /* from_year */ AS integer))
  AND (CAST(? /* to_year */ AS integer) IS NULL OR b.arrival_year <= CAST(? /* to_year */ AS integer))
GROUP BY b.hotel
ORDER BY b.hotel
