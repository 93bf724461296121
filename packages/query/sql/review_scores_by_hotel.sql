-- Review scores by hotel: number of reviews, average, lowest and highest score (1.0-10.0), and the share of
-- reviews scoring 8.0 or more.
-- @param min_reviews int optional only hotels with at least this many reviews
SELECT
  r.hotel,
  count(*) AS reviews,
  round(avg(CAST(r.score AS double)), 2) AS avg_score,
  min(r.score) AS min_score,
  max(r.score) AS max_score,
  round(avg(CAST(CASE WHEN r.score >= 8 THEN 1 ELSE 0 END AS double)), 4) AS share_8_plus
FROM curated.reviews r
GROUP BY r.hotel
HAVING count(*) >= coalesce(CAST(? /* min_reviews */ AS integer), 1)
ORDER BY r.hotel
