// The fingerprints (hashes of their content) of the sources with these ids, for diffing a load.
// :param ids => ["rferl-2022-05-isk-central-asia"]
UNWIND $ids AS id
MATCH (n:Source {id: id})
RETURN id, n.fp AS fp
