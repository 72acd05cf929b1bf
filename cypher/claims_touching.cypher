// Claims with any of these entities at either end, matching the filters: the step of every
// anchored query (claims of an entity, neighbourhoods, path search). Each claim once.
// With `among`, only claims whose both ends are among those ids (a neighbourhood's last ring).
// :param anchors => ["isk"]
// :param among => null
// :param types => null
// :param statuses => null
// :param source => null
// :param min_confidence => 0.0
// :param since => "2022-04-01"
// :param until => null
UNWIND $anchors AS anchor
MATCH (:Entity {id: anchor})-[c]-(:Entity)
WHERE c.id IS NOT NULL
  AND ($types IS NULL OR type(c) IN $types)
  AND ($statuses IS NULL OR c.status IN $statuses)
  AND ($source IS NULL OR c.source = $source)
  AND c.confidence >= $min_confidence
  AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
  AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
  AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
  AND ($among IS NULL OR (startNode(c).id IN $among AND endNode(c).id IN $among))
WITH DISTINCT c
RETURN startNode(c).id AS subject, type(c) AS type, endNode(c).id AS object, properties(c) AS claim
ORDER BY c.id
