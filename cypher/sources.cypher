// Sources (reports) by id, a page at a time; a null limit means all.
// :param offset => 0
// :param limit => 50
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (n:Source)
WHERE n.load IS NULL OR n.load IN published
RETURN properties(n) AS source
ORDER BY n.id
SKIP $offset
LIMIT coalesce($limit, 1000000000)
