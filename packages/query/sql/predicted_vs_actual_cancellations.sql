-- Predicted versus actual cancellations per hotel and model version: the batch predictions
-- (predictions.booking_cancellations) joined with the bookings' current outcome (curated.bookings), with
-- the confusion counts, precision and recall of the predicted label.
-- @param model_version string optional only this model version
SELECT
  p.hotel,
  p.model_name,
  p.model_version,
  count(*) AS bookings,
  sum(p.predicted_label) AS predicted_cancellations,
  sum(b.is_canceled) AS actual_cancellations,
  round(avg(p.probability), 4) AS avg_probability,
  sum(CASE WHEN p.predicted_label = 1 AND b.is_canceled = 1 THEN 1 ELSE 0 END) AS true_positives,
  sum(CASE WHEN p.predicted_label = 1 AND b.is_canceled = 0 THEN 1 ELSE 0 END) AS false_positives,
  sum(CASE WHEN p.predicted_label = 0 AND b.is_canceled = 1 THEN 1 ELSE 0 END) AS false_negatives,
  round(
    CAST(sum(CASE WHEN p.predicted_label = 1 AND b.is_canceled = 1 THEN 1 ELSE 0 END) AS double)
      / nullif(sum(p.predicted_label), 0),
    4
  ) AS precision_rate,
  round(
    CAST(sum(CASE WHEN p.predicted_label = 1 AND b.is_canceled = 1 THEN 1 ELSE 0 END) AS double)
      / nullif(sum(b.is_canceled), 0),
    4
  ) AS recall_rate
FROM predictions.booking_cancellations p
JOIN curated.bookings b ON b.booking_id = p.booking_id
WHERE (CAST(? /* model_version */ AS varchar) IS NULL OR p.model_version = CAST(? /* model_version */ AS varchar))
GROUP BY p.hotel, p.model_name, p.model_version
ORDER BY p.hotel, p.model_name, p.model_version
