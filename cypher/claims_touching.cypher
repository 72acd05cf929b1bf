// Claims with this entity at either end, matching the filters (claims of an entity). Each once.
// :param anchor => "isk"
// :param types => null
// :param statuses => null
// :param source => null
// :param min_confidence => 0.0
// :param since => "2022-04-01"
// :param until => null
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (:Entity {id: $anchor})-[c]-(:Entity)
WHERE c.id IS NOT NULL
  AND (c.load IS NULL OR c.load IN published)
  AND ($types IS NULL OR type(c) IN $types)
  AND ($statuses IS NULL OR c.status IN $statuses)
  AND ($source IS NULL OR c.source = $source)
  AND c.confidence >= $min_confidence
  AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
  AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
  AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
WITH DISTINCT c
RETURN startNode(c).id AS subject, type(c) AS type, endNode(c).id AS object, properties(c) AS claim
