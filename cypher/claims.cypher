// Claims matching every filter, scanning all claims: used when no entity anchors the query.
// A null parameter means "any". Dates are filtered by the caller, which knows their precision.
// :param types => ["SEEKS_TO_PROVOKE"]
// :param statuses => null
// :param source => null
// :param min_confidence => 0.0
MATCH (s:Entity)-[c]->(o:Entity)
WHERE c.id IS NOT NULL
  AND ($types IS NULL OR type(c) IN $types)
  AND ($statuses IS NULL OR c.status IN $statuses)
  AND ($source IS NULL OR c.source = $source)
  AND c.confidence >= $min_confidence
RETURN s.id AS subject, type(c) AS type, o.id AS object, properties(c) AS claim
ORDER BY c.id
