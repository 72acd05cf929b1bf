// The loads under way, or left behind by a writer that died (state 'writing': discard them;
// 'published': settle them).
MATCH (l:Load)
RETURN l {.id, .state, .rows, .writer, started: toString(l.started)} AS load
ORDER BY l.started
