-- Average length of stay (nights) of the stays that happened (not canceled), by hotel and customer type.
-- @param hotel string optional only this hotel (name)
SELECT
  b.hotel,
  b.customer_type,
  count(*) AS stays,
  round(avg(CAST(b.nights AS double)), 2) AS avg_nights,
  round(avg(CAST(b.stays_in_weekend_nights AS double)), 2) AS avg_weekend_nights,
  round(avg(CAST(b.stays_in_week_nights AS double)), 2) AS avg_week_nights
FROM curated.bookings b
WHERE b.is_canceled = 0
  AND (CAST(? /* hotel */ AS varchar) IS NULL OR b.hotel = CAST(? /* hotel */ AS varchar))
GROUP BY b.hotel, b.customer_type
ORDER BY b.hotel, b.customer_type
