// Count one more write, inside the write's own transaction; the revision it returns is written
// on the entities of this write (`rev`). Holding this node's lock orders concurrent writers.
MERGE (meta:GraphMeta {id: 'graph'})
SET meta.revision = coalesce(meta.revision, 0) + 1, meta.updated = datetime()
RETURN meta.revision AS revision
