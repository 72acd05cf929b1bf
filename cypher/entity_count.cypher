// How many published entities (of one kind, or all with a null kind).
// :param kind => null
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (n:Entity)
WHERE ($kind IS NULL OR n.kind = $kind) AND (n.load IS NULL OR n.load IN published)
RETURN count(n) AS count
