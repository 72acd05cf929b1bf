// How many published sources.
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (n:Source)
WHERE n.load IS NULL OR n.load IN published
RETURN count(n) AS count
