// A load's writer is alive: after each chunk it writes it says so, in a transaction of its own.
// :param load => "load-0123abcd"
MATCH (l:Load {id: $load})
SET l.beat = datetime()
RETURN l.id AS load
