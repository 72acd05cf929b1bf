// A load written in several transactions starts: its records carry `load` and stay invisible
// to readers until load_publish. The node says who writes it and since when, so that a load
// left behind by a process that died can be found and discarded.
// :param load => "load-0123abcd"
// :param rows => 1000000
// :param writer => "host:pid"
CREATE (l:Load {id: $load, state: 'writing', started: datetime(), rows: $rows, writer: $writer})
RETURN l.id AS load
