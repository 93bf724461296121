-- ADR and revenue by arrival month and hotel: stays (not canceled), room nights, average daily rate of
-- the stays, and revenue (adr x nights, 0 for canceled bookings). Filters on arrival year/month read only
-- those partitions.
-- @param hotel string optional only this hotel (name)
-- @param year int optional only this arrival year
-- @param month int optional only this arrival month (1-12)
SELECT
  b.hotel,
  b.arrival_year,
  b.arrival_month,
  count(*) - sum(b.is_canceled) AS stays,
  sum(CASE WHEN b.is_canceled = 0 THEN b.nights ELSE 0 END) AS room_nights,
  CAST(round(avg(CASE WHEN b.is_canceled = 0 THEN CAST(b.adr AS double) END), 2) AS decimal(10, 2)) AS adr,
  sum(b.revenue) AS revenue
FROM curated.bookings b
WHERE (CAST(? /* hotel */ AS varchar) IS NULL OR b.hotel = CAST(? /* hotel */ AS varchar))
  AND (CAST(? /* year */ AS integer) IS NULL OR b.arrival_year = CAST(? /* year */ AS integer))
  AND (CAST(? /* month */ AS integer) IS NULL OR b.arrival_month = CAST(? /* month */ AS integer))
GROUP BY b.hotel, b.arrival_year, b.arrival_month
ORDER BY b.hotel, b.arrival_year, b.arrival_month
