// The fingerprints (hashes of their content) of the entities with these ids, for diffing a load.
// A record of a load not yet published counts as absent: a writer must not take another's
// unfinished load, which may yet be discarded, for what the graph holds.
// :param ids => ["isk", "pakistan"]
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
UNWIND $ids AS id
MATCH (n:Entity {id: id})
WHERE n.load IS NULL OR n.load IN published
RETURN id, n.fp AS fp
