// Count one more write; runs inside the write's own transaction.
MERGE (meta:GraphMeta {id: 'graph'})
SET meta.revision = coalesce(meta.revision, 0) + 1, meta.updated = datetime()
RETURN meta.revision AS revision
