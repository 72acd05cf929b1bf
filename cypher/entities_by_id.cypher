// The entities with these ids (those that exist and are published).
// :param ids => ["isk", "pakistan"]
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
UNWIND $ids AS id
MATCH (n:Entity {id: id})
WHERE n.load IS NULL OR n.load IN published
RETURN properties(n) AS entity
