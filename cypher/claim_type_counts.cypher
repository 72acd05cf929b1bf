// One entity's published claims counted by type, as subject (outgoing) and as object (incoming), and how many
// distinct claims it has (a claim from the entity to itself counts once): counted in the server, no claim sent.
// No row when no entity has the id.
// :param id => "isk"
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (e:Entity {id: $id})
CALL (e, published) {
  MATCH (e)-[c]->(:Entity)
  WHERE c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
  WITH type(c) AS type, count(c) AS claims
  RETURN collect([type, claims]) AS outgoing
}
CALL (e, published) {
  MATCH (e)<-[c]-(:Entity)
  WHERE c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
  WITH type(c) AS type, count(c) AS claims
  RETURN collect([type, claims]) AS incoming
}
CALL (e, published) {
  MATCH (e)-[c]-(:Entity)
  WHERE c.id IS NOT NULL AND (c.load IS NULL OR c.load IN published)
  RETURN count(DISTINCT c) AS total
}
RETURN outgoing, incoming, total
