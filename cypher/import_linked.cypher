// After link_claims has linked every claim of a graph imported by neo4j-admin: take the mark off.
MATCH (meta:GraphMeta {id: 'graph'})
REMOVE meta.unlinked
RETURN meta.revision AS revision
