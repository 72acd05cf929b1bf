// Claims with any of these entities at either end, matching the filters: the step of every
// anchored query (claims of an entity, neighbourhoods, path search). Each claim once.
// :param anchors => ["isk"]
// :param types => null
// :param statuses => null
// :param source => null
// :param min_confidence => 0.0
UNWIND $anchors AS anchor
MATCH (:Entity {id: anchor})-[c]-(:Entity)
WHERE c.id IS NOT NULL
  AND ($types IS NULL OR type(c) IN $types)
  AND ($statuses IS NULL OR c.status IN $statuses)
  AND ($source IS NULL OR c.source = $source)
  AND c.confidence >= $min_confidence
WITH DISTINCT c
RETURN startNode(c).id AS subject, type(c) AS type, endNode(c).id AS object, properties(c) AS claim
ORDER BY c.id
