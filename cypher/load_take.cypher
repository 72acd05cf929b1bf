// Take over a load whose writer died, to settle or discard it: only if it is still the dead
// writer's (the Load node's lock orders two recoverers; the second finds another writer and
// gets no row, so one load is never cleaned up twice at once).
// :param load => "load-0123abcd"
// :param writer => "host:4242:118273"
// :param me => "host:4343:120001"
MATCH (l:Load {id: $load})
WHERE l.writer = $writer
SET l.writer = $me, l.beat = datetime()
RETURN l.id AS load, l.state AS state
