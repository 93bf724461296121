-- Top source countries: the guests' countries of origin with the most bookings, per hotel, with their
-- cancellation rate. Bookings of unknown country are left out.
-- @param hotel string optional only this hotel (name)
-- @param top int optional how many countries per hotel (default 10)
SELECT
  t.hotel,
  t.country_rank,
  t.country,
  t.bookings,
  t.cancellation_rate
FROM (
  SELECT
    c.hotel,
    c.country,
    c.bookings,
    c.cancellation_rate,
    row_number() OVER (PARTITION BY c.hotel ORDER BY c.bookings DESC, c.country) AS country_rank
  FROM (
    SELECT
      b.hotel,
      b.country,
      count(*) AS bookings,
      round(avg(CAST(b.is_canceled AS double)), 4) AS cancellation_rate
    FROM curated.bookings b
    WHERE b.country IS NOT NULL
      AND (CAST(? /* hotel */ AS varchar) IS NULL OR b.hotel = CAST(? /* hotel */ AS varchar))
    GROUP BY b.hotel, b.country
  ) c
) t
WHERE t.country_rank <= coalesce(CAST(? /* top */ AS integer), 10)
ORDER BY t.hotel, t.country_rank
