// A load's writer is alive: each chunk it writes says so, in the chunk's own transaction.
// :param load => "load-0123abcd"
MATCH (l:Load {id: $load})
SET l.beat = datetime()
RETURN l.id AS load
