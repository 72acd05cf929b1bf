// The landing view: what the graph covers and where to start, built from a few aggregate requests (GET /v1/stats,
// one page of GET /v1/sources, GET /v1/review/claims?limit=1 for the review count) and the claim months the page
// already loads, so an analyst opening the explorer sees counts, hubs and recent reports instead of an empty canvas.
// Kept apart from app.js: it only builds elements, and every way in is a callback app.js supplies.

const REPORTS_PAGE = 50; // reports read for the "latest" list and the outlets; the total comes from the count

/** The figures the overview shows, read from the API (`getJSON` is the page's own tracked fetch). */
export async function loadOverview(getJSON, monthRange) {
  const [stats, sources, review] = await Promise.all([
    getJSON("/v1/stats", { top: 10 }),
    getJSON("/v1/sources", { limit: REPORTS_PAGE }),
    getJSON("/v1/review/claims", { limit: 1 }),
  ]);
  return { stats, sources, review, months: monthRange };
}

const byCount = (counts) => Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

/** "armed_group 12, state 9, …": a count per kind or type, largest first. */
function countList(h, counts, label) {
  return h("ul", { class: "counts", "aria-label": label },
    byCount(counts).map(([name, n]) => h("li", { "data-name": name, "data-count": String(n) }, `${name.replaceAll("_", " ")} `, h("strong", {}, String(n)))));
}

/** Newest first by publication date (undated last), ties by title, so the list reads the same on every store. */
function latest(reports, howMany) {
  return [...reports].sort((a, b) => (b.published || "").localeCompare(a.published || "") || a.title.localeCompare(b.title))
    .slice(0, howMany);
}

/** The overview as elements for the side panel. `ways` holds the ways in: openEntity(id), openReport(id), openReview(). */
export function overviewElements(h, figures, ways) {
  const { stats, sources, review, months } = figures;
  const listed = sources.data;
  const outlets = new Set(listed.map((s) => s.outlet).filter(Boolean));
  const partial = sources.count > listed.length;
  const span = months.length ? (months[0] === months[months.length - 1] ? months[0] : `${months[0]} to ${months[months.length - 1]}`) : "no dated claim";
  const plural = (n, one, many) => [h("strong", {}, String(n)), ` ${n === 1 ? one : many}`];
  return [
    h("h2", {}, "What the graph holds"),
    h("p", { class: "coverage", "data-reports": String(stats.sources), "data-outlets": String(outlets.size) },
      plural(stats.sources, "report", "reports"), " from ", plural(outlets.size, "outlet", "outlets"),
      partial ? ` (among the ${listed.length} reports listed)` : "",
      "; claims dated ", h("span", { class: "date-range" }, span), "."),
    h("p", { class: "totals" },
      plural(stats.entities, "entity", "entities"), ", ", plural(stats.claims, "claim", "claims"),
      ` (${stats.disputed_claims} disputed), `, plural(stats.incidents, "incident", "incidents"), "."),
    h("details", { class: "by-kind", open: "" }, h("summary", {}, "Entities by kind"), countList(h, stats.entities_by_kind, "Entities by kind")),
    h("details", { class: "by-type" }, h("summary", {}, "Claims by type"), countList(h, stats.claims_by_type, "Claims by type")),
    h("h3", {}, "Most connected"),
    h("ol", { class: "hubs", "aria-label": "Most connected entities" }, stats.most_connected.map((hub) => h("li", {},
      h("button", { type: "button", "data-entity": hub.id, title: `Show ${hub.name}'s neighbourhood`, onclick: () => ways.openEntity(hub.id) }, hub.name),
      ` (${hub.kind.replaceAll("_", " ")}, ${hub.degree} neighbours)`))),
    h("h3", {}, "Latest reports"),
    h("ul", { class: "reports", "aria-label": "Latest reports" }, latest(listed, 8).map((report) => h("li", {},
      h("button", { type: "button", "data-source": report.id, onclick: () => ways.openReport(report.id) }, report.title),
      ` ${report.outlet}${report.published ? `, ${report.published}` : ""} (${report.claims} claims)`))),
    h("h3", {}, "Awaiting review"),
    h("p", { class: "review", "data-staged": String(review.count) },
      review.count
        ? [plural(review.count, "claim extracted by machine awaits", "claims extracted by machine await"), " review: ",
          h("button", { type: "button", class: "open-review", onclick: () => ways.openReview() }, "review them here"),
          " (accept or reject each, with the write key)."]
        : "No claim awaits review."),
    h("p", { class: "hint" }, "Or ask a question, find an entity, or trace a path. Click a node to expand it, an edge to read its claims."),
  ];
}

/** One report: where it comes from, its claims (each opens its quote) and its text. */
export function reportElements(h, detail, openClaim) {
  const report = detail.source;
  return [
    h("h2", { class: "report-title" }, report.title),
    h("p", { class: "report-meta" }, report.outlet, report.published ? `, ${report.published}` : "",
      report.reliability ? ` (reliability ${report.reliability})` : ""),
    h("h3", {}, `Claims (${detail.claims.length})`),
    h("ul", { class: "claims", "aria-label": "Claims from this report" }, detail.claims.map((claim) => h("li", {},
      h("button", { type: "button", class: "claim-link", "data-claim": claim.id, onclick: () => openClaim(claim.id) },
        `${claim.subject} ${claim.type} ${claim.object}`), " ", h("span", { class: `badge ${claim.status}` }, claim.status)))),
    h("h3", {}, "Text"),
    h("div", { class: "report", tabindex: "0", "aria-label": "Report text" }, detail.text),
  ];
}
