-- Occupancy by hotel and day: occupied rooms each night over the rooms the hotel sells, with room revenue
-- and ADR of the night (from curated.hotel_daily). Filters on year/month read only those partitions.
-- @param hotel string optional only this hotel (name)
-- @param year int optional only nights of this year
-- @param month int optional only nights of this month (1-12)
SELECT
  d.hotel,
  d.stay_date,
  d.occupied_rooms,
  h.room_count,
  round(CAST(d.occupied_rooms AS double) / h.room_count, 4) AS occupancy,
  d.room_revenue,
  d.adr,
  d.arrivals,
  d.cancellations
FROM curated.hotel_daily d
JOIN curated.hotels h ON h.hotel_id = d.hotel_id
WHERE (CAST(? /* hotel */ AS varchar) IS NULL OR d.hotel = CAST(? /* hotel */ AS varchar))
  AND (CAST(? /* year */ AS integer) IS NULL OR d.stay_year = CAST(? /* year */ AS integer))
  AND (CAST(? /* month */ AS integer) IS NULL OR d.stay_month = CAST(? /* month */ AS integer))
ORDER BY d.hotel, d.stay_date
