// The view's state, kept in the URL's hash so that reloading or sharing a link rebuilds the same view.
// Only what the user chose is stored (question, entities, expansions, path, filters, the map's incident filters,
// the incident chosen on the map, selection);
// everything drawn is fetched again from the API, so a link never carries stale data.

/** A fresh, empty state: nothing asked, nothing shown, no filters. */
export function emptyState() {
  return { q: "", e: [], x: [], from: "", to: "", types: [], status: [], since: "", until: "", it: [], ip: "", inc: "", sel: "", ctx: "",
    pk: 1, tie: "any", ptypes: [], pstatus: [] };
}

const list = (value) => (value ? value.split(",").filter(Boolean) : []);

/** The hash for a state, short and readable: `#q=…&e=isk,pakistan&x=isk~RECRUITS_FROM.ATTACKED`. */
export function encode(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (state.e.length) params.set("e", state.e.join(","));
  // An expansion is an entity and the types followed from it ("~" alone: every type).
  // A third part, when there is one, is how many neighbours the expansion shows ("show more" raised it).
  if (state.x.length) params.set("x", state.x.map((x) => `${x.id}~${x.types.join(".")}${x.n ? `~${x.n}` : ""}`).join(","));
  if (state.from && state.to) { params.set("from", state.from); params.set("to", state.to); }
  // The path finder's options (see paths.js): how many paths, which ties, types and statuses.
  if (state.from && state.to && state.pk > 1) params.set("pk", String(state.pk));
  if (state.from && state.to && state.tie && state.tie !== "any") params.set("tie", state.tie);
  if (state.from && state.to && state.ptypes.length) params.set("pt", state.ptypes.join(","));
  if (state.from && state.to && state.pstatus.length) params.set("ps", state.pstatus.join(","));
  if (state.types.length) params.set("types", state.types.join(","));
  if (state.status.length) params.set("status", state.status.join(","));
  if (state.since) params.set("since", state.since);
  if (state.until) params.set("until", state.until);
  // The map's filters: incident types and one perpetrator; and the incident chosen on the map.
  if (state.it.length) params.set("it", state.it.join(","));
  if (state.ip) params.set("ip", state.ip);
  if (state.inc) params.set("inc", state.inc);
  if (state.sel) params.set("sel", state.sel);
  // A follow-up ("and in 2023?") is read against the previous answer's query: kept so that a reload reads it alike.
  if (state.ctx) params.set("ctx", state.ctx);
  return params.toString();
}

/** The state a hash describes; unknown keys are ignored, so old links still open. */
export function decode(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const state = emptyState();
  state.q = params.get("q") || "";
  state.e = list(params.get("e"));
  state.x = list(params.get("x")).map((item) => {
    const [id, types = "", shown = ""] = item.split("~");
    const n = Number.parseInt(shown, 10);
    return { id, types: types.split(".").filter(Boolean), ...(n > 0 ? { n } : {}) };
  });
  state.from = params.get("from") || "";
  state.to = params.get("to") || "";
  state.pk = Math.max(Number.parseInt(params.get("pk") || "1", 10) || 1, 1);
  state.tie = params.get("tie") || "any";
  state.ptypes = list(params.get("pt"));
  state.pstatus = list(params.get("ps"));
  state.types = list(params.get("types"));
  state.status = list(params.get("status"));
  state.since = params.get("since") || "";
  state.until = params.get("until") || "";
  state.it = list(params.get("it"));
  state.ip = params.get("ip") || "";
  state.inc = params.get("inc") || "";
  state.sel = params.get("sel") || "";
  state.ctx = params.get("ctx") || "";
  return state;
}

/** The months a claim's date covers, at the precision it was given: "2022" spans 2022-01 to 2022-12. */
export function monthSpan(date, endDate) {
  if (!date) return null;
  const first = date.length >= 7 ? date.slice(0, 7) : `${date.slice(0, 4)}-01`;
  const end = endDate || date;
  const last = end.length >= 7 ? end.slice(0, 7) : `${end.slice(0, 4)}-12`;
  return [first, last];
}

/** Whether a claim passes the filters: types, statuses and a month window (undated claims fall outside any window). */
export function passes(claim, state) {
  if (state.types.length && !state.types.includes(claim.type)) return false;
  if (state.status.length && !state.status.includes(claim.status)) return false;
  if (state.since || state.until) {
    const span = monthSpan(claim.date, claim.end_date);
    if (!span) return false;
    if (state.since && span[1] < state.since) return false;
    if (state.until && span[0] > state.until) return false;
  }
  return true;
}

/** Every month from `first` to `last` inclusive, as "YYYY-MM". */
export function monthsBetween(first, last) {
  const months = [];
  let [year, month] = first.split("-").map(Number);
  const [endYear, endMonth] = last.split("-").map(Number);
  while (year < endYear || (year === endYear && month <= endMonth)) {
    months.push(`${year}-${String(month).padStart(2, "0")}`);
    month += 1;
    if (month > 12) { month = 1; year += 1; }
  }
  return months;
}
