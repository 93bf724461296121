-- Repeat-guest share by hotel: bookings by guests who had stayed before, and their cancellation rate
-- beside first-time guests'.
-- @param hotel string optional only this hotel (name)
SELECT
  b.hotel,
  count(*) AS bookings,
  sum(b.is_repeated_guest) AS repeat_bookings,
  round(avg(CAST(b.is_repeated_guest AS double)), 4) AS repeat_share,
  round(avg(CASE WHEN b.is_repeated_guest = 1 THEN CAST(b.is_canceled AS double) END), 4) AS repeat_cancellation_rate,
  round(avg(CASE WHEN b.is_repeated_guest = 0 THEN CAST(b.is_canceled AS double) END), 4) AS first_time_cancellation_rate
FROM curated.bookings b
WHERE (CAST(? /* hotel */ AS varchar) IS NULL OR b.hotel = CAST(? /* hotel */ AS varchar))
GROUP BY b.hotel
ORDER BY b.hotel
