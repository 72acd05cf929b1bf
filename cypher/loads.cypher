// The loads under way, or left behind by a writer that died (state 'writing': discard them;
// 'published': settle them). `age` is the seconds since the writer last wrote a chunk.
MATCH (l:Load)
RETURN l {.id, .state, .rows, .writer, started: toString(l.started),
          age: duration.inSeconds(coalesce(l.beat, l.started), datetime()).seconds} AS load
ORDER BY l.started
