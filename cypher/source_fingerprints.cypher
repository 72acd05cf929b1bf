// The fingerprints (hashes of their content) of the sources with these ids, for diffing a load.
// A record of a load not yet published counts as absent (see entity_fingerprints).
// :param ids => ["rferl-2022-05-isk-central-asia"]
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
UNWIND $ids AS id
MATCH (n:Source {id: id})
WHERE n.load IS NULL OR n.load IN published
RETURN id, n.fp AS fp
