// Entities written after a revision: how a store's alias index catches up with other writers.
// :param since => 0
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (n:Entity)
WHERE n.rev > $since AND (n.load IS NULL OR n.load IN published)
RETURN properties(n) AS entity
