// One step of a path search, for a batch of entities: the entities each one reaches through a
// claim passing the type and status filters, stepping as the direction allows ('out': from subject to object,
// 'in': from object to subject, 'both'; symmetric types either way). A path search asks this a
// level, or an entity, at a time.
// :param ids => ["isk"]
// :param direction => "both"
// :param symmetric => ["ALLIED_WITH", "BORDERS"]
// :param types => null
// :param statuses => null
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[c]-(b:Entity)
WHERE a <> b AND c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
  AND ($direction = 'both' OR type(c) IN $symmetric OR (startNode(c) = a) = ($direction = 'out'))
  AND ($types IS NULL OR type(c) IN $types)
  AND ($statuses IS NULL OR c.status IN $statuses)
RETURN id, collect(DISTINCT b.id) AS next
