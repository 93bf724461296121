-- Cancellation rate by deposit type (and hotel): how deposits relate to cancellations.
-- @param hotel string optional only this hotel (name)
SELECT
  b.hotel,
  b.deposit_type,
  count(*) AS bookings,
  sum(b.is_canceled) AS cancellations,
  round(avg(CAST(b.is_canceled AS double)), 4) AS cancellation_rate
FROM curated.bookings b
WHERE (CAST(? /* hotel */ AS varchar) IS NULL OR b.hotel = CAST(? /* hotel */ AS varchar))
GROUP BY b.hotel, b.deposit_type
ORDER BY b.hotel, b.deposit_type
