// Entities by id, a page at a time (of one kind, or all with a null kind); a null limit means all.
// :param kind => null
// :param offset => 0
// :param limit => 50
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (n:Entity)
WHERE ($kind IS NULL OR n.kind = $kind) AND (n.load IS NULL OR n.load IN published)
RETURN properties(n) AS entity
ORDER BY n.id
SKIP $offset
LIMIT coalesce($limit, 1000000000)
