// The fingerprints (hashes of their content) of the entities with these ids, for diffing a load.
// :param ids => ["isk", "pakistan"]
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN id, n.fp AS fp
