// The fingerprints (hashes of their content) of the incidents with these ids, for diffing a load; an incident of a
// load not yet published counts as absent.
// :param ids => ["kunduz-mosque-2021-10"]
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
UNWIND $ids AS id
MATCH (n:Incident {id: id})
WHERE n.load IS NULL OR n.load IN published
RETURN id, n.fp AS fp
