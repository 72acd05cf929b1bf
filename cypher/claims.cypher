// Claims matching every filter, with no entity to start from: from the REPORTS entries (indexed
// by type and status), then each claim by its element id. A null parameter means "any".
// `since`/`until` are days; a claim's happened_from/happened_to are the first and last day its
// dates cover, so a window keeps what overlaps it at the dates' precision.
// :param types => ["SEEKS_TO_PROVOKE"]
// :param statuses => null
// :param source => null
// :param location => null
// :param asserted_by => null
// :param min_confidence => 0.0
// :param since => "2022-04-01"
// :param until => null
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (:Source)-[r:REPORTS]->()
WHERE ($types IS NULL OR r.type IN $types)
  AND ($statuses IS NULL OR r.status IN $statuses)
  AND (r.load IS NULL OR r.load IN published)
CALL (r) {
  MATCH (s:Entity)-[c]->(o:Entity)
  WHERE elementId(c) = r.rel AND c.id = r.claim
  RETURN s, c, o
}
WITH s, c, o
WHERE ($source IS NULL OR c.source = $source)
  AND ($location IS NULL OR c.location = $location)
  AND ($asserted_by IS NULL OR c.asserted_by = $asserted_by)
  AND c.confidence >= $min_confidence
  AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
  AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
  AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
RETURN s.id AS subject, type(c) AS type, o.id AS object, properties(c) AS claim
