-- Cancellation rate by lead-time bucket (days between booking and arrival: 0-7, 8-30, 31-90, 91-180,
-- 181-365, 366+), per hotel: the earlier the booking, the likelier the cancellation.
-- @param hotel string optional only this hotel (name)
SELECT
  t.hotel,
  t.lead_time_bucket,
  count(*) AS bookings,
  sum(t.is_canceled) AS cancellations,
  round(avg(CAST(t.is_canceled AS double)), 4) AS cancellation_rate
FROM (
  SELECT
    b.hotel,
    b.is_canceled,
    CASE
      WHEN b.lead_time <= 7 THEN '0-7'
      WHEN b.lead_time <= 30 THEN '8-30'
      WHEN b.lead_time <= 90 THEN '31-90'
      WHEN b.lead_time <= 180 THEN '91-180'
      WHEN b.lead_time <= 365 THEN '181-365'
      ELSE '366+'
    END AS lead_time_bucket,
    CASE
      WHEN b.lead_time <= 7 THEN 1
      WHEN b.lead_time <= 30 THEN 2
      WHEN b.lead_time <= 90 THEN 3
      WHEN b.lead_time <= 180 THEN 4
      WHEN b.lead_time <= 365 THEN 5
      ELSE 6
    END AS bucket_order
  FROM curated.bookings b
  WHERE (CAST(? /* hotel */ AS varchar) IS NULL OR b.hotel = CAST(? /* hotel */ AS varchar))
) t
GROUP BY t.hotel, t.lead_time_bucket, t.bucket_order
ORDER BY t.hotel, t.bucket_order
