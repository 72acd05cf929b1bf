// Make a load visible, in one small transaction (the one that also applies the load's updates to
// existing records): readers see a record marked with a load listed in GraphMeta.published as if
// it were not marked; the load's new entities take the revision, so alias indexes catch up.
// :param load => "load-0123abcd"
// :param rev => 2
MATCH (l:Load {id: $load})
MERGE (meta:GraphMeta {id: 'graph'})
SET l.state = 'published', l.published = datetime(),
    meta.published = [x IN coalesce(meta.published, []) WHERE x <> $load] + $load
WITH l
CALL (l) {
  MATCH (n:Entity {load: l.id})
  SET n.rev = $rev
}
RETURN l.id AS load
