-- Cancellation rate by market segment (and hotel): where cancellations come from.
-- @param hotel string optional only this hotel (name, e.g. 'City Hotel')
SELECT
  b.hotel,
  b.market_segment,
  count(*) AS bookings,
  sum(b.is_canceled) AS cancellations,
  round(avg(CAST(b.is_canceled AS double)), 4) AS cancellation_rate
FROM curated.bookings b
WHERE (CAST(? /* hotel */ AS varchar) IS NULL OR b.hotel = CAST(? /* hotel */ AS varchar))
GROUP BY b.hotel, b.market_segment
ORDER BY b.hotel, bookings DESC, b.market_segment
