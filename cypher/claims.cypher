// Claims matching every filter, scanning all claims: used when no entity anchors the query.
// A null parameter means "any". `since`/`until` are days; a claim's happened_from/happened_to are
// the first and last day its dates cover, so a window keeps what overlaps it at the dates' precision.
// :param types => ["SEEKS_TO_PROVOKE"]
// :param statuses => null
// :param source => null
// :param location => null
// :param asserted_by => null
// :param min_confidence => 0.0
// :param since => "2022-04-01"
// :param until => null
MATCH (s:Entity)-[c]->(o:Entity)
WHERE c.id IS NOT NULL
  AND ($types IS NULL OR type(c) IN $types)
  AND ($statuses IS NULL OR c.status IN $statuses)
  AND ($source IS NULL OR c.source = $source)
  AND ($location IS NULL OR c.location = $location)
  AND ($asserted_by IS NULL OR c.asserted_by = $asserted_by)
  AND c.confidence >= $min_confidence
  AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
  AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
  AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
RETURN s.id AS subject, type(c) AS type, o.id AS object, properties(c) AS claim
ORDER BY c.id
