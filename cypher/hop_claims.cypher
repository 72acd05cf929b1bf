// The claims behind each hop of the paths a store returns: every claim between the two entities
// that passes the type and status filters and steps from the first to the second as the direction allows,
// with its denials.
// :param pairs => [["isk", "uyghurs"], ["uyghurs", "china"]]
// :param directed => false
// :param symmetric => ["ALLIED_WITH", "BORDERS"]
// :param types => null
// :param statuses => null
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
UNWIND $pairs AS pair
MATCH (a:Entity {id: pair[0]})-[c]-(b:Entity {id: pair[1]})
WHERE c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
  AND ($directed = false OR startNode(c) = a OR type(c) IN $symmetric)
  AND ($types IS NULL OR type(c) IN $types)
  AND ($statuses IS NULL OR c.status IN $statuses)
RETURN pair, startNode(c).id AS subject, type(c) AS type, endNode(c).id AS object, properties(c) AS claim,
       COLLECT { MATCH (:Source)-[d:REPORTS {denies: c.id}]->() WHERE d.load IS NULL OR d.load IN published
                 RETURN d.claim } AS denied_by
