// A load written in several transactions starts: its records carry `load` and stay invisible
// to readers until load_publish. The node says who writes it (host, process id and the process's
// start, so a reused process id is not taken for the writer) and when it last wrote (`beat`), so
// that a load left behind by a process that died can be found and settled or discarded.
// :param load => "load-0123abcd"
// :param rows => 1000000
// :param writer => "host:4242:118273"
CREATE (l:Load {id: $load, state: 'writing', started: datetime(), beat: datetime(), rows: $rows, writer: $writer})
RETURN l.id AS load
