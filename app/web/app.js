// The kg web explorer: ask, search, expand, filter and trace paths over the HTTP API of this origin, and see
// incidents on a map and a timeline linked to the graph. Colours, types and statuses come from GET /v1/schema
// (the ontology), never from this file, so a new kind, relation or incident type shows up without touching the
// page. Every request goes to this origin.
import { IncidentMap, countText, monthOf, radius } from "./map.js";
import { loadOverview, overviewElements, reportElements } from "./overview.js";
import { EXPANSION_STEP, GraphView, aliasList, capExpansion, layoutStyles, registerLayout } from "./layout.js";
import { buildPathOptions, describePathOptions, pathParams, readPathOptions, writePathOptions } from "./paths.js";
import { decode, emptyState, encode, monthsBetween, passes } from "./state.js";
import { Timeline } from "./timeline.js";

const VENDOR = "/assets/vendor/cytoscape.esm.min.mjs";
// The map's libraries, UMD builds loaded in this order (d3-geo needs d3-array), and the country outlines.
const MAP_LIBRARIES = ["d3-array.min.js", "d3-geo.min.js", "topojson-client.min.js"].map((file) => `/assets/vendor/${file}`);
const OUTLINES = "/assets/vendor/countries-50m.json";
const PAGE = 500; // incidents or claims per request when every page of a list is needed

const $ = (selector) => document.querySelector(selector);

// Exposed for the browser tests and for anyone poking at the view from the console.
const explorer = { pending: 0, loaded: false, restoring: false, error: null, months: [], mapError: null };
window.explorer = explorer;

let cy = null;
let view = null;      // the GraphView: layout, bundles, sizes, pinned / hidden / collapsed nodes (layout.js)
let map = null;       // the IncidentMap, or null when its libraries could not be loaded
let timeline = null;  // the Timeline
let state = emptyState();
const data = {
  schema: null,
  months: [],                // the slider's domain: every month from the graph's first dated claim to its last
  claimMonths: [],           // the months that hold a dated claim, in order (the overview's date range)
  overview: null,            // the landing view's figures, read once (see overview.js)
  entities: new Map(),       // id -> {id, name, kind, …}
  claims: new Map(),         // id -> claim (as GET /v1/claims gives it)
  sources: new Map(),        // id -> GET /v1/sources/{id}
  neighbours: new Map(),     // id -> Set of neighbour ids (all types), for the hidden-neighbour counts
  ask: null,                 // {nodes, answers, claims, paths}
  expansions: [],            // [{id, types, nodes, claims}], in the order they were made
  path: null,                // {nodes, claims}
  incidents: {
    all: [],                 // every incident (JSON): the filter options
    totals: null,            // every incident counted per month by the store (GET /v1/incidents/timeline)
    counted: null,           // what the timeline draws: those counts under the map's type and perpetrator filters
    inView: null,            // the same counts for the incidents the graph's visible claims are about
    features: [],            // the map's points: the same filters within the date window (GeoJSON features)
    unlocated: [],           // ids of incidents matching those filters that have no coordinates, so no point
  },
  incident: null,            // the incident chosen on the map: {id, detail, perpetrators, targets, claims}
  news: [],                  // ids of claims drawn from the "new from the feeds" panel
};

class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** Track work in flight, so tests (and the status line) know when the view has settled. */
async function busy(promise) {
  explorer.pending += 1;
  try {
    return await promise;
  } finally {
    explorer.pending -= 1;
  }
}

async function getJSON(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  return busy((async () => {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  })());
}

/** A DOM element; children may be strings (set as text, never parsed as HTML) or nodes. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) element.setAttribute(name, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) element.append(child);
  }
  return element;
}

function say(message) {
  $("#status-line").textContent = message;
}

function writeURL() {
  if (explorer.restoring) return;
  history.replaceState(null, "", `#${encode(state)}`);
}

// ---------------------------------------------------------------------------------------- data

function remember(entity) {
  if (entity && entity.id && entity.kind) data.entities.set(entity.id, { ...data.entities.get(entity.id), ...entity });
}

function rememberClaims(claims) {
  for (const claim of claims) data.claims.set(claim.id, { ...data.claims.get(claim.id), ...claim });
}

/** Make sure every id has a name and kind, asking the API for those only claims mentioned. */
async function ensureEntities(ids) {
  const missing = [...new Set(ids)].filter((id) => !data.entities.get(id)?.kind);
  await Promise.all(missing.map(async (id) => {
    try {
      remember(await getJSON(`/v1/entities/${encodeURIComponent(id)}`));
    } catch {
      data.entities.set(id, { id, name: id, kind: "unknown" });
    }
  }));
}

async function entityName(id) {
  if (!id) return "";
  await ensureEntities([id]);
  return data.entities.get(id)?.name || id;
}

async function source(id) {
  if (!data.sources.has(id)) data.sources.set(id, await getJSON(`/v1/sources/${encodeURIComponent(id)}`));
  return data.sources.get(id);
}

/** The entities, claims and anchors (nodes shown even when no edge of theirs passes the filters) in view. */
function viewContents() {
  const nodes = new Set();
  const claims = new Set();
  const anchors = new Set();
  const answers = new Set();
  const pathClaims = new Set();
  if (data.ask) {
    data.ask.answers.forEach((id) => { answers.add(id); anchors.add(id); });
    data.ask.nodes.forEach((id) => nodes.add(id));
    data.ask.claims.forEach((id) => claims.add(id));
    data.ask.pathClaims.forEach((id) => pathClaims.add(id));
  }
  for (const id of state.e) { nodes.add(id); anchors.add(id); }
  for (const expansion of data.expansions) {
    anchors.add(expansion.id);
    expansion.nodes.forEach((id) => nodes.add(id));
    expansion.claims.forEach((id) => claims.add(id));
  }
  data.news.forEach((id) => claims.add(id));
  if (data.path) {
    data.path.nodes.forEach((id) => { nodes.add(id); anchors.add(id); });
    data.path.claims.forEach((id) => { claims.add(id); pathClaims.add(id); });
  }
  if (data.incident) {
    [...data.incident.perpetrators, ...data.incident.targets].forEach((id) => { nodes.add(id); anchors.add(id); });
    data.incident.claims.forEach((id) => claims.add(id));
  }
  for (const id of claims) {
    const claim = data.claims.get(id);
    nodes.add(claim.subject);
    nodes.add(claim.object);
  }
  answers.forEach((id) => nodes.add(id));
  return { nodes, claims, anchors, answers, pathClaims };
}

// ----------------------------------------------------------------------------------- the graph

function relation(type) {
  return data.schema.relation_types[type] || {};
}

function edgeData(claim) {
  const category = relation(claim.type).category;
  const extracted = Boolean(claim.extracted_by) && claim.extracted_by !== "curated";
  return {
    id: claim.id, source: claim.subject, target: claim.object, type: claim.type, status: claim.status,
    date: claim.date || "", extracted_by: claim.extracted_by || "", disputed: Boolean(claim.disputed),
    colour: data.schema.category_colours[category] || "#7f8c8d",
    // An icon as well as the dotted line, so machine-extracted claims read apart even in a screenshot.
    label: extracted ? `⚙ ${claim.type}` : claim.type,
  };
}

function edgeClasses(claim, pathClaims) {
  const classes = [];
  if (claim.disputed || claim.status === "denied") classes.push("disputed");
  if (claim.extracted_by && claim.extracted_by !== "curated") classes.push("extracted");
  if (relation(claim.type).symmetric) classes.push("symmetric");
  if (pathClaims.has(claim.id)) classes.push("path");
  return classes.join(" ");
}

function nodeLabel(id, hidden) {
  const name = data.entities.get(id)?.name || id;
  return hidden ? `${name} (+${hidden})` : name;
}

function nodeData(id, hidden) {
  const entity = data.entities.get(id) || { name: id, kind: "unknown" };
  const colour = data.schema.entity_kinds[entity.kind]?.colour || "#999999";
  return { id, name: entity.name, kind: entity.kind, colour, hidden, label: nodeLabel(id, hidden) };
}

function hiddenCount(id, shown) {
  const around = data.neighbours.get(id);
  if (!around) return 0;
  let count = 0;
  for (const other of around) if (!shown.has(other)) count += 1;
  return count;
}

/** Bring Cytoscape in line with the view: add and remove elements, apply filters, lay out what is new. */
function render() {
  const { nodes, claims, anchors, answers, pathClaims } = viewContents();
  let added = 0;
  cy.batch(() => {
    cy.edges().filter((edge) => !claims.has(edge.id())).remove();
    cy.nodes().filter((node) => !nodes.has(node.id())).remove();
    const centre = { x: cy.width() / 2, y: cy.height() / 2 };
    for (const id of nodes) {
      const existing = cy.getElementById(id);
      const fields = nodeData(id, hiddenCount(id, nodes));
      if (existing.nonempty()) {
        existing.data(fields);
      } else {
        const angle = (added * 2.4) % (2 * Math.PI);
        cy.add({ group: "nodes", data: fields, position: { x: centre.x + 120 * Math.cos(angle), y: centre.y + 120 * Math.sin(angle) } });
        added += 1;
      }
      const node = cy.getElementById(id);
      node.toggleClass("anchor", anchors.has(id));
      node.toggleClass("answer", answers.has(id));
      node.toggleClass("incident-perpetrator", Boolean(data.incident?.perpetrators.has(id)));
      node.toggleClass("incident-target", Boolean(data.incident?.targets.has(id)));
    }
    for (const id of claims) {
      const claim = data.claims.get(id);
      const existing = cy.getElementById(id);
      if (existing.empty()) cy.add({ group: "edges", data: edgeData(claim) });
      cy.getElementById(id).classes(edgeClasses(claim, pathClaims));
    }
    applyFilters(anchors);
  });
  if (added) layout();
  $("#undo").disabled = data.expansions.length === 0;
  updateTimeline();
  writeURL();
  countHidden(nodes);
}

function applyFilters(anchors) {
  cy.edges().not(".bundle").forEach((edge) => edge.toggleClass("filtered", !passes(data.claims.get(edge.id()), state)));
  cy.nodes().forEach((node) => {
    const visibleEdges = node.connectedEdges().not(".bundle").filter((edge) => !edge.hasClass("filtered"));
    node.toggleClass("filtered", !anchors.has(node.id()) && visibleEdges.empty());
  });
  view.decorate();
}

function layout() {
  view.run();
  // A handful of nodes would otherwise be blown up to fill the canvas.
  fitVisible();
}

/** Learn each shown node's neighbours (all types) once, then label nodes with how many are not shown. */
async function countHidden(nodes) {
  const unknown = [...nodes].filter((id) => !data.neighbours.has(id));
  if (!unknown.length) return;
  await Promise.all(unknown.map(async (id) => {
    try {
      const around = await getJSON(`/v1/entities/${encodeURIComponent(id)}/neighbourhood`, { depth: 1 });
      around.nodes.forEach(remember);
      data.neighbours.set(id, new Set(around.nodes.map((node) => node.id).filter((other) => other !== id)));
    } catch {
      data.neighbours.set(id, new Set());
    }
  }));
  const shown = viewContents().nodes;
  cy.batch(() => cy.nodes().forEach((node) => {
    const hidden = hiddenCount(node.id(), shown);
    node.data({ hidden, label: nodeLabel(node.id(), hidden) });
  }));
}

let inViewKey = "";
let inViewRequest = 0;

function updateTimeline() {
  // The incidents the graph's visible claims are about: marked within the bars, so the graph view's share shows;
  // counted by the API too (a batched read of those few by id), asked again only when they or the filters change.
  const ids = [...new Set(cy.edges().filter((edge) => !edge.hasClass("filtered"))
    .map((edge) => data.claims.get(edge.id())?.incident).filter(Boolean))].sort();
  const key = ids.length ? `${ids.join(",")}|${state.it.join(",")}|${state.ip}` : "";
  const draw = () => {
    timeline.draw(data.incidents.counted, { since: state.since, until: state.until }, data.incidents.inView);
    timeline.select(data.incident ? monthOf(data.incident.detail.date) : null);
  };
  if (key === inViewKey) { draw(); return; }
  inViewKey = key;
  const request = ++inViewRequest;
  if (!ids.length) { data.incidents.inView = null; draw(); return; }
  getJSON("/v1/incidents/timeline", { ...incidentFilters(), id: ids.slice(0, PAGE).join(",") })
    .then((counts) => { if (request === inViewRequest) { data.incidents.inView = counts; draw(); } })
    .catch((error) => showError("Could not count the incidents in view", error, null));
  draw();
}

// ------------------------------------------------------------------------------------- actions

function clearView() {
  data.ask = null;
  data.expansions = [];
  data.path = null;
  data.incident = null;
  data.news = [];
  Object.assign(state, { q: "", e: [], x: [], from: "", to: "", inc: "", sel: "", ctx: "" });
  view?.reset();
  map?.select(null);
  timeline?.select(null);
}

/** "Clear view": back to the landing page. Unlike clearView (which a new question or a link also goes through),
 * this resets what the user typed or chose too: the question, search and path fields, the filters and the date
 * window, the selection, the status line, and any old answer or refusal in the panel, replaced by the overview. */
async function clearEverything() {
  clearView();
  Object.assign(state, emptyState());
  for (const field of ["#ask-input", "#search-input", "#path-from", "#path-to"]) $(field).value = "";
  for (const select of ["#expand-types", "#filter-types", "#incident-types"]) for (const option of $(select).options) option.selected = false;
  writeFilters();
  readFilters();
  writePathOptions(state);
  cy.elements().unselect();
  render();
  say("View cleared");
  data.overview = null; // read again: the graph may have grown since the page opened
  await refreshIncidents().catch((error) => showError("Could not load the incidents", error, null));
  await showOverview();
}

/** The landing view in the side panel: what the graph covers, its hubs, its latest reports, the review count. */
async function showOverview() {
  try {
    if (!data.overview) data.overview = await loadOverview(getJSON, data.claimMonths);
  } catch (error) {
    showError("Could not load the overview", error, null);
    return;
  }
  panel(h("section", { id: "overview", "aria-label": "Overview of the graph" }, overviewElements(h, data.overview, {
    openEntity: (id) => expand(id).catch((error) => showError("Could not expand", error, null)),
    openReport: (id) => showReport(id).catch((error) => showError(`Could not open the report ${id}`, error, null)),
  })));
}

/** One report in the panel, each of its claims a way to its quote. */
async function showReport(id) {
  const detail = await source(id);
  detail.claims.forEach((claim) => rememberClaims([claim]));
  panel(reportElements(h, detail, (claim) => showClaim(claim).catch((error) => showError("Could not show the claim", error, null))));
  say(`Report: ${detail.source.title}`);
}

/** Whether the state shows nothing at all, so the landing view belongs in the panel. */
function nothingShown() {
  return !state.q && !state.e.length && !state.x.length && !(state.from && state.to) && !state.inc && !state.sel;
}

async function loadAsk(question, context = "") {
  try {
    const answer = await getJSON("/v1/ask", context ? { q: question, context } : { q: question });
    answer.answers.forEach(remember);
    rememberClaims(answer.claims);
    rememberClaims(answer.nearest || []);
    const paths = answer.paths || [];
    paths.forEach((path) => path.hops.forEach((hop) => rememberClaims(hop.claims || [])));
    const nodes = [...answer.answers.map((a) => a.id), ...answer.claims.flatMap((c) => [c.subject, c.object]),
      ...paths.flatMap((path) => path.nodes), ...(answer.nearest || []).flatMap((c) => [c.subject, c.object])];
    await ensureEntities(nodes);
    const pathClaims = paths.flatMap((path) => path.hops.flatMap((hop) => (hop.claims || []).map((c) => c.id)));
    data.ask = { answers: answer.answers.map((a) => a.id), nodes, pathClaims,
      claims: [...answer.claims.map((c) => c.id), ...pathClaims] };
    return answer;
  } catch (error) {
    data.ask = null;
    throw error;
  }
}

/** The query of the last answer, which a follow-up ("and in 2023?", "what about Iran?", "who denied it?") reuses. */
let lastQuery = null;

async function ask(question) {
  const previous = lastQuery ? JSON.stringify(lastQuery) : "";
  clearView();
  state.q = question.trim();
  $("#ask-input").value = state.q;
  if (!state.q) { render(); return; }
  try {
    const answer = await loadAsk(state.q, previous);
    lastQuery = answer.query;
    // Only a question read as a follow-up keeps the previous query in the link; a whole question needs none.
    state.ctx = (answer.reading?.notes || []).some((note) => note.includes("follow-up")) ? previous : "";
    render();
    showAnswer(answer);
    say(`${answer.answers.length} answer(s), ${answer.claims.length} claim(s)`);
  } catch (error) {
    render();
    showError(`Could not answer “${state.q}”`, error, trySuggestion);
  }
}

/** A suggested question runs at once; a pattern with a blank ("who are …'s enemies") waits to be filled in. */
function trySuggestion(suggestion) {
  const input = $("#ask-input");
  input.value = suggestion;
  const blank = suggestion.indexOf("…");
  if (blank < 0) { ask(suggestion); return; }
  input.focus();
  input.setSelectionRange(blank, blank + 1);
  say("Replace … with a name, then press Ask");
}

/** An expansion shows the `limit` neighbours joined by the most claims; "show more" raises the limit. */
async function loadExpansion(id, types, limit = EXPANSION_STEP) {
  const subgraph = await getJSON(`/v1/entities/${encodeURIComponent(id)}/neighbourhood`,
    { depth: 1, types: types.join(",") });
  subgraph.nodes.forEach(remember);
  rememberClaims(subgraph.links.map((link) => link.claim));
  const expansion = { id: subgraph.center, types, limit, subgraph, ...capExpansion(subgraph, limit) };
  data.expansions.push(expansion);
  return expansion;
}

/** "Show more": the node's last expansion shows the next few of its neighbours. */
async function showMore(id) {
  const index = data.expansions.map((expansion) => expansion.id).lastIndexOf(id);
  if (index < 0) return;
  const expansion = data.expansions[index];
  expansion.limit += EXPANSION_STEP;
  Object.assign(expansion, capExpansion(expansion.subgraph, expansion.limit));
  state.x[index] = { ...state.x[index], n: expansion.limit };
  const before = cy.nodes().length;
  render();
  say(`Showing ${Math.min(expansion.limit, expansion.total)} of ${expansion.total} neighbours of ${data.entities.get(id)?.name || id}: ${cy.nodes().length - before} new node(s)`);
  await showEntity(id);
}

/** The claims of one bundle (claims of one type between two entities), each a way to its quote. */
function showBundle(bundle) {
  state.sel = "";
  writeURL();
  cy.elements().unselect();
  bundle.select();
  const claims = bundle.data("claims").map((id) => data.claims.get(id));
  const name = (id) => data.entities.get(id)?.name || id;
  panel(h("h2", { class: "bundle-title" }, name(bundle.data("source")), " ", h("code", {}, bundle.data("type")), " ",
    name(bundle.data("target")), ` (${claims.length} claims)`),
  h("ul", { class: "claims bundle-claims", "aria-label": "Claims on this edge" }, claims.map((claim) => h("li", {}, claimLine(claim)))));
  say(`${claims.length} ${bundle.data("type")} claims on this edge`);
}

function chosen(select) {
  return [...select.selectedOptions].map((option) => option.value);
}

/** Expand a node by the chosen types; `show` false keeps the panel as it is (a perpetrator clicked in an incident). */
async function expand(id, { show = true } = {}) {
  const types = chosen($("#expand-types"));
  const already = state.x.some((x) => x.id === id && x.types.join(".") === types.join("."));
  if (!already) {
    const before = cy.nodes().length;
    const expansion = await loadExpansion(id, types);
    state.x.push({ id: expansion.id, types });
    if (expansion.total > expansion.limit) say(`Showing ${expansion.limit} of ${expansion.total} neighbours`);
    render();
    say(`Expanded ${data.entities.get(id)?.name || id}${types.length ? ` by ${types.join(", ")}` : ""}: ${cy.nodes().length - before} new node(s)`);
  }
  if (show) await showEntity(id);
  else focusNode(id);
}

function undo() {
  if (!data.expansions.length) return;
  const last = data.expansions.pop();
  state.x.pop();
  if (state.sel === `node:${last.id}`) state.sel = "";
  render();
  say(`Undid the expansion of ${data.entities.get(last.id)?.name || last.id}`);
}

/** Resolve what was typed (an id, name or any alias) to an entity, or show why not. */
async function resolve(text) {
  try {
    const entity = await getJSON(`/v1/entities/${encodeURIComponent(text.trim())}`);
    remember(entity);
    return entity;
  } catch (error) {
    showError(`No single entity for “${text}”`, error, (suggestion) => addEntity(suggestion));
    return null;
  }
}

async function addEntity(text) {
  if (!text.trim()) return;
  const entity = await resolve(text);
  if (!entity) return;
  if (!state.e.includes(entity.id)) state.e.push(entity.id);
  $("#search-input").value = "";
  render();
  await showEntity(entity.id);
}

async function loadPath(from, to) {
  const found = await getJSON("/v1/paths", { source: from, target: to, ...pathParams(state) });
  const paths = found.data;
  paths.forEach((path) => path.hops.forEach((hop) => rememberClaims(hop.claims)));
  const nodes = paths.flatMap((path) => path.nodes);
  await ensureEntities(nodes);
  data.path = { nodes, claims: paths.flatMap((path) => path.hops.flatMap((hop) => hop.claims.map((c) => c.id))) };
  return paths;
}

async function findPath(from, to) {
  state.from = from.trim();
  state.to = to.trim();
  Object.assign(state, readPathOptions());
  data.path = null;
  if (!state.from || !state.to) return;
  try {
    const paths = await loadPath(state.from, state.to);
    render();
    showPaths(paths);
  } catch (error) {
    state.from = "";
    state.to = "";
    render();
    showError(`No path from “${from}” to “${to}”`, error, null);
  }
}

// ----------------------------------------------------------------------------------- incidents

/** Every page of a list endpoint, in order: the first says how many there are (its `count`), the others are
 * asked for at once. `pick` takes a page's items. */
async function allPages(path, params, pick) {
  const first = await getJSON(path, { ...params, limit: PAGE, offset: 0 });
  const rest = [];
  for (let offset = PAGE; offset < first.count; offset += PAGE) rest.push(getJSON(path, { ...params, limit: PAGE, offset }));
  return [first, ...await Promise.all(rest)].flatMap(pick);
}

/** The map's filters as /v1/incidents takes them (the API resolves a type to the types that refine it). */
function incidentFilters() {
  return { type: state.it.join(","), perpetrator: state.ip };
}

let countedRequest = 0;
let mapRequest = 0;

/** Refetch what the type and perpetrator filters change: the timeline's incidents (any date) and the map. */
async function refreshIncidents() {
  const request = ++countedRequest;
  const counted = state.it.length || state.ip
    ? await getJSON("/v1/incidents/timeline", { ...incidentFilters(), interval: "month" })
    : data.incidents.totals;
  if (request !== countedRequest) return; // a newer choice's answer wins
  data.incidents.counted = counted;
  inViewKey = null; // the share in view is counted under the new filters too
  updateTimeline();
  await refreshMap();
}

/** Refetch the map's points: the incident filters within the date window, as GeoJSON. */
async function refreshMap() {
  const request = ++mapRequest;
  const unlocated = [];
  const features = await allPages("/v1/incidents", { ...incidentFilters(), since: state.since, until: state.until, format: "geojson" },
    (page) => { unlocated.push(...page.unlocated); return page.features; });
  if (request !== mapRequest) return;
  data.incidents.features = features;
  data.incidents.unlocated = unlocated;
  shownWindow = windowKey();
  drawMap();
}

// A change of dates refetches the map once the slider rests; the wait counts as work in flight for the tests.
let mapTimer = null;
let shownWindow = "";
const windowKey = () => `${state.since}|${state.until}|${state.it.join(",")}|${state.ip}`;

function scheduleMap() {
  if (mapTimer) clearTimeout(mapTimer);
  else explorer.pending += 1;
  mapTimer = setTimeout(async () => {
    mapTimer = null;
    try {
      await refreshMap();
    } catch (error) {
      showError("Could not load the incidents", error, null);
    } finally {
      explorer.pending -= 1;
    }
  }, 120);
}

function drawMap() {
  const { features, unlocated } = data.incidents;
  const window = state.since || state.until ? ` from ${state.since || "the first"} to ${state.until || "the last"}` : "";
  $("#map-status").textContent = `${features.length} incident(s) on the map${window}` +
    (unlocated.length ? `; ${unlocated.length} without coordinates not drawn (${unlocated.join(", ")})` : "");
  if (!map) return;
  map.setIncidents(features);
  map.select(state.inc || null);
  drawMapLegend(features);
}

function drawMapLegend(features) {
  const types = [...new Set(features.map((feature) => feature.properties.type))];
  const order = Object.keys(data.schema.incident_types);
  types.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  $("#map-legend").replaceChildren($("#map-status"),
    h("strong", {}, "Incident type"),
    h("ul", { class: "types" }, types.map((type) => h("li", { "data-type": type },
      h("span", { class: "swatch", style: `background:${data.schema.incident_colours[type] || "#8D9096"}` }),
      data.schema.incident_types[type]?.label || type))),
    h("strong", {}, "Killed, as stated"),
    sizeKey(),
    h("ul", { class: "sizes" },
      h("li", {}, sizeKey([null], "unknown"), "no figure stated"),
      h("li", {}, sizeKey([7], "approximate"), "placed at a province or country")),
  );
}

/** Circles as the map draws them, side by side on one baseline, each with its figure beneath. */
function sizeKey(figures = [1, 10, 50, 100], kind = "") {
  const ns = "http://www.w3.org/2000/svg";
  const element = (tag, attributes, text) => {
    const made = document.createElementNS(ns, tag);
    for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
    if (text !== undefined) made.textContent = text;
    return made;
  };
  const radii = figures.map((figure) => (kind === "approximate" ? figure : radius(figure)));
  const labelled = !kind;
  const height = 2 * Math.max(...radii) + (labelled ? 16 : 4);
  const picture = element("svg", { class: "size-key", height, "aria-hidden": "true" });
  let x = 2;
  figures.forEach((figure, index) => {
    const r = radii[index];
    const baseline = 2 * Math.max(...radii) + 2;
    picture.append(element("circle", { class: `legend-dot ${kind}`, cx: x + r, cy: baseline - r, r }));
    if (labelled) picture.append(element("text", { x: x + r, y: baseline + 12, "text-anchor": "middle" }, String(figure)));
    x += 2 * r + 8;
  });
  picture.setAttribute("width", x);
  return picture;
}

async function loadIncident(id) {
  // The detail lists the claims about the incident (attack, responsibility, blame, denial): one request.
  const detail = await getJSON(`/v1/incidents/${encodeURIComponent(id)}`);
  const claims = detail.claims || [];
  rememberClaims(claims);
  const perpetrators = new Set(detail.perpetrators.map((p) => p.id).filter(Boolean));
  const targets = new Set(detail.targets.map((t) => t.id).filter(Boolean));
  await ensureEntities([...perpetrators, ...targets, ...claims.flatMap((claim) => [claim.subject, claim.object])]);
  data.incident = { id: detail.id, detail, perpetrators, targets, claims: claims.map((claim) => claim.id) };
  return data.incident;
}

/** Open an incident chosen on the map: its panel, its perpetrators and targets in the graph, its month's bar. */
async function chooseIncident(id) {
  state.inc = id;
  state.sel = `incident:${id}`;
  try {
    const incident = await loadIncident(id);
    render();
    map?.select(id);
    timeline.select(monthOf(incident.detail.date));
    showIncident(incident);
    say(`${incident.detail.type_label} in ${incident.detail.place?.name || "an unnamed place"}: ` +
      `${incident.perpetrators.size} perpetrator(s) and ${incident.targets.size} target(s) marked in the graph`);
  } catch (error) {
    state.inc = "";
    data.incident = null;
    render();
    showError(`Could not open the incident ${id}`, error, null);
  }
}

// -------------------------------------------------------------------------------------- panels

function panel(...children) {
  $("#panel").replaceChildren(...children.flat(2).filter((child) => child !== null && child !== undefined && child !== false));
}

function claimLine(claim) {
  const subject = data.entities.get(claim.subject)?.name || claim.subject;
  const object = data.entities.get(claim.object)?.name || claim.object;
  return h("button", { type: "button", class: "claim-link", "data-claim": claim.id, title: claim.id, onclick: () => showClaim(claim.id) },
    `${subject} ${claim.type} ${object}`, " ", h("span", { class: `badge ${claim.status}` }, claim.status),
    claim.disputed ? [" ", h("span", { class: "badge disputed" }, "disputed")] : null);
}

/** The claims of an answer: grouped by relation type when the answer groups them (pairs, profiles, events…). */
function claimList(answer) {
  const groups = Object.entries(answer.groups || {});
  if (!groups.length) {
    return [h("h3", {}, `Claims (${answer.claims.length})`),
      h("ul", { class: "claims" }, answer.claims.map((claim) => h("li", {}, claimLine(claim))))];
  }
  const byId = new Map(answer.claims.map((claim) => [claim.id, claim]));
  return [h("h3", {}, `Claims by type (${answer.claims.length})`),
    h("div", { class: "groups", "aria-label": "Claims by type" }, groups.map(([type, ids]) => h("section", { class: "group", "data-type": type },
      h("h4", {}, type, ` (${ids.length})`),
      h("ul", { class: "claims" }, ids.map((id) => h("li", {}, claimLine(byId.get(id))))))))];
}

/** The yes/no or the count a question asked for, before anything else. */
function verdictLine(answer) {
  if (answer.verdict) {
    const evidence = answer.verdict === "yes" ? `${answer.claims.length} claim(s) say so` : "no claim says so";
    return h("p", { class: `verdict ${answer.verdict}`, "data-verdict": answer.verdict, role: "status" },
      h("strong", {}, answer.verdict === "yes" ? "Yes" : "No"), ` — ${evidence}`);
  }
  if (answer.casualties) {
    const { min, max, of, incidents } = answer.casualties;
    const total = max === min ? String(min) : max === null || max === undefined ? `at least ${min}` : `${min} to ${max}`;
    return h("p", { class: "count", "data-count": String(min), "data-of": of, role: "status" },
      h("strong", {}, total), ` ${of} in ${incidents} incident(s), as the reports state`);
  }
  if (answer.count) {
    return h("p", { class: "count", "data-count": String(answer.count.value), "data-of": answer.count.of, role: "status" },
      h("strong", {}, String(answer.count.value)), ` ${answer.count.of}`,
      answer.count.of === "claims" ? "" : ` (${answer.count.claims} claims)`);
  }
  return null;
}

/** For an empty or thin answer: what the graph holds about the entities asked about, and what absence means. */
function coverageBlock(answer) {
  const coverage = answer.coverage;
  if (!coverage) return null;
  return h("section", { class: "coverage", "aria-label": "What the graph covers" },
    h("h3", {}, "What the graph covers"),
    h("p", { class: "coverage-note" }, coverage.note),
    h("ul", {}, coverage.entities.map((entity) => h("li", { "data-entity": entity.id, "data-claims": String(entity.claims) },
      h("strong", {}, entity.name), `: ${entity.claims} claim(s) from ${entity.reports} report(s)`,
      entity.first ? `, ${entity.first}${entity.last && entity.last !== entity.first ? ` to ${entity.last}` : ""}` : "",
      entity.top.length ? ` (most from ${entity.top.map((r) => `${r.id} (${r.claims})`).join(", ")})` : ""))));
}

function showAnswer(answer) {
  const paths = answer.paths || [];
  const nearest = answer.nearest || [];
  const links = answer.endpoints || [];
  panel(
    h("h2", {}, answer.question || state.q),
    verdictLine(answer),
    answer.explanation ? h("p", { class: "explanation" }, answer.explanation) : null,
    answer.reading && answer.reading.confidence < 1
      ? h("p", { class: "confidence", "data-confidence": String(answer.reading.confidence) },
        `Confidence in the reading: ${answer.reading.confidence.toFixed(2)} (${answer.reading.notes.join("; ")})`) : null,
    coverageBlock(answer),
    answer.answers.length || answer.verdict !== "yes" ? [
      h("h3", {}, `Answers (${answer.answers.length})`),
      h("ol", { class: "answers", "aria-label": "Answers" }, answer.answers.map((entity) => h("li", {},
        h("button", { type: "button", "data-entity": entity.id, onclick: () => focusNode(entity.id) }, entity.name),
        ` (${entity.kind})`)))] : null,
    incidentList(answer.incidents || []),
    claimList(answer),
    nearest.length ? [h("h3", {}, `Nearest claims the graph holds (${nearest.length})`),
      h("ul", { class: "claims nearest", "aria-label": "Nearest claims" }, nearest.map((claim) => h("li", {}, claimLine(claim))))] : null,
    paths.length ? [h("h3", {}, "Paths"), pathList(paths)] : null,
    answer.query ? h("details", { class: "query" }, h("summary", {}, "The query that was run"),
      h("ul", { class: "links", "aria-label": "The same claims from the API" },
        links.map((url) => h("li", {}, h("a", { href: url }, `GET ${url}`))),
        answer.rerun ? h("li", {}, h("a", { href: answer.rerun, class: "rerun" }, "Run the query again")) : null),
      h("pre", {}, JSON.stringify(answer.query, null, 2))) : null,
  );
}

/** The incidents an answer gives: each with its figures as stated, its contradictions side by side, and every
 * report's quote; the incident's name opens it on the map and in the graph. */
function incidentList(incidents) {
  if (!incidents.length) return null;
  const figure = (count) => (count ? (count.text || `${count.min ?? ""}–${count.max ?? ""}`) : "not stated");
  return [h("h3", {}, `Incidents (${incidents.length})`),
    h("ol", { class: "incidents", "aria-label": "Incidents" }, incidents.map((incident) => h("li", { "data-incident": incident.id },
      h("button", { type: "button", class: "incident-link", onclick: () => chooseIncident(incident.id) },
        `${incident.date || "undated"} ${incident.type_label} in ${incident.place?.name || "an unnamed place"}`),
      h("p", { class: "perpetrators" }, incident.perpetrators.map((p) => `${p.name} (${p.basis}${p.asserted_by_name ? ` by ${p.asserted_by_name}` : ""})`).join("; ") || "perpetrator not named"),
      h("p", { class: "killed" }, `Killed: ${figure(incident.killed)}`),
      (incident.contradictions || []).map((c) => h("p", { class: "contradiction" }, c.field === "perpetrator"
        ? `Side by side, who did it: ${c.id}: ${c.accounts.map((a) => `${a.basis} by ${a.asserted_by}`).join("; ")}`
        : `Side by side, ${c.field}: ${c.reports.map((r) => `${r.source}: ${r.text || r.min || r.max}`).join("; ")}`)),
      h("ul", { class: "reports" }, incident.reports.map((report) => h("li", {},
        h("blockquote", {}, report.quote),
        h("cite", {}, `${report.report.outlet}, ${report.report.published || "undated"}: ${report.report.title}`)))))))];
}

function suggestionText(suggestion) {
  if (typeof suggestion === "string") return suggestion;
  return suggestion.question || suggestion.text || suggestion.name || suggestion.example || suggestion.id || JSON.stringify(suggestion);
}

function showError(title, error, retry) {
  const details = error.body?.details || {};
  const suggestions = details.suggestions || details.candidates || [];
  panel(
    h("h2", { class: "error" }, title),
    h("p", { class: "error", role: "alert" }, error.message),
    details.read && (details.read.names.length || details.read.relations.length)
      ? h("p", { class: "read" }, `Read so far: ${[...details.read.names, ...details.read.relations].join(", ")}`) : null,
    suggestions.length && retry ? [
      h("h3", {}, "Did you mean"),
      h("ul", { class: "suggestions", "aria-label": "Suggestions" }, suggestions.map((suggestion) => h("li", {},
        h("button", { type: "button", onclick: () => retry(suggestionText(suggestion)) }, suggestionText(suggestion))))),
    ] : null,
  );
  // The panel is the one place a refusal is shown (its role=alert announces it): the status line is emptied, not
  // given the same words again.
  say("");
}

function focusNode(id) {
  const node = cy.getElementById(id);
  if (node.empty()) return;
  cy.elements().unselect();
  node.select();
  cy.animate({ center: { eles: node } }, { duration: 200 });
}

async function showEntity(id) {
  state.sel = `node:${id}`;
  writeURL();
  focusNode(id);
  const entity = await getJSON(`/v1/entities/${encodeURIComponent(id)}`);
  const shown = viewContents().nodes;
  const counts = (byType) => Object.entries(byType).map(([type, n]) => `${type} ${n}`).join(", ") || "none";
  panel(
    h("h2", {}, entity.name, " ", h("span", { class: "badge" }, entity.kind)),
    entity.description ? h("p", {}, entity.description) : null,
    h("dl", { class: "facts" },
      h("dt", {}, "Also called"), h("dd", {}, aliasList(h, entity.aliases)),
      h("dt", {}, "Claims as subject"), h("dd", {}, counts(entity.claims_out)),
      h("dt", {}, "Claims as object"), h("dd", {}, counts(entity.claims_in)),
      h("dt", {}, "Hidden neighbours"), h("dd", { "data-hidden": hiddenCount(id, shown) }, String(hiddenCount(id, shown)))),
    nodeTools(id),
    h("p", { class: "hint" }, "Click the node again after choosing types under “Expand a node by” to follow only those."),
  );
}

/** Pin, hide, collapse a node, and "show more" when its expansion shows only some of its neighbours. */
function nodeTools(id) {
  if (cy.getElementById(id).empty()) return null;
  const name = data.entities.get(id)?.name || id;
  const expansion = [...data.expansions].reverse().find((x) => x.id === id);
  const rest = expansion ? expansion.total - Math.min(expansion.limit, expansion.total) : 0;
  const act = (label, action, title) => h("button", { type: "button", title, onclick: action }, label);
  return h("div", { class: "node-tools", role: "toolbar", "aria-label": `What to do with ${name} in the graph` },
    act(view.pinned.has(id) ? "Unpin" : "Pin", () => {
      say(view.pin(id) ? `${name} pinned: layouts leave it where it is` : `${name} unpinned`);
      showEntity(id);
    }, "Keep this node where it is when the graph is laid out again"),
    act("Hide", () => { view.hide(id); render(); say(`${name} hidden; “Show hidden nodes” brings it back`); },
      "Take this node out of the drawing (its claims too)"),
    act(view.folded.has(id) ? "Expand collapsed" : "Collapse", () => {
      say(view.fold(id) ? `${name} collapsed: neighbours joined only to it are folded away` : `${name}'s neighbours shown again`);
      render();
      showEntity(id);
    }, "Fold away the neighbours joined to nothing else shown"),
    rest > 0 ? act(`Show ${Math.min(rest, EXPANSION_STEP)} more of ${rest} hidden neighbours`, () => showMore(id),
      "The expansion shows the neighbours joined by the most claims first") : null);
}

/** The report text with the quote marked where its span says it is. */
function reportWithQuote(text, quote) {
  const [start, end] = quote.span;
  const inPlace = text.slice(start, end) === quote.text;
  const before = inPlace ? text.slice(0, start) : quote.before;
  const after = inPlace ? text.slice(end) : quote.after;
  const mark = h("mark", { "data-span": `${start}-${end}` }, quote.text);
  const report = h("div", { class: "report", tabindex: "0", "aria-label": "Report text, with the quote highlighted" }, before, mark, after);
  return { report, mark };
}

async function showClaim(id) {
  state.sel = `claim:${id}`;
  writeURL();
  const edge = cy.getElementById(id);
  cy.elements().unselect();
  edge.select();
  view.edgeFor(id).select(); // its bundle too, when it is drawn as one
  const detail = await getJSON(`/v1/claims/${encodeURIComponent(id)}`);
  const claim = detail.claim;
  const [report, asserter] = await Promise.all([source(claim.source), entityName(claim.asserted_by)]);
  const { report: text, mark } = reportWithQuote(report.text, detail.quote);
  const cited = detail.source;
  const extracted = claim.extracted_by && claim.extracted_by !== "curated";
  const others = edge.nonempty()
    ? edge.parallelEdges().not(".bundle").filter((other) => other.id() !== id && !other.hasClass("filtered")).map((other) => data.claims.get(other.id()))
    : [];
  panel(
    h("h2", { class: "claim-title" }, claim.subject_name || claim.subject, " ", h("code", {}, claim.type), " ", claim.object_name || claim.object),
    h("dl", { class: "facts" },
      h("dt", {}, "Status"), h("dd", { class: "status" }, h("span", { class: `badge ${claim.status}` }, claim.status),
        claim.disputed ? [" ", h("span", { class: "badge disputed" }, "disputed")] : null),
      h("dt", {}, "Asserted by"), h("dd", { class: "asserted-by" }, asserter || "—"),
      h("dt", {}, "Date"), h("dd", { class: "date" }, claim.date ? claim.date + (claim.end_date ? ` to ${claim.end_date}` : "") : "not dated"),
      // Only web links become links: a report's URL is data, and a javascript: URL must never run.
      h("dt", {}, "Source"), h("dd", { class: "source" }, /^https?:\/\//i.test(cited.url || "")
        ? h("a", { href: cited.url, target: "_blank", rel: "noopener noreferrer" }, `${cited.outlet}: ${cited.title}`)
        : `${cited.outlet}: ${cited.title}`, cited.published ? ` (${cited.published})` : ""),
      extracted ? [h("dt", {}, "Extracted by"), h("dd", {}, h("span", { class: "badge extracted" }, `⚙ ${claim.extracted_by}`), ` confidence ${claim.confidence}`)] : null,
      claim.note ? [h("dt", {}, "Note"), h("dd", {}, claim.note)] : null),
    detail.disputed_by.length ? [h("h3", {}, "Disputed by"),
      h("ul", {}, detail.disputed_by.map((denial) => h("li", {}, h("button", { type: "button", class: "claim-link", onclick: () => showClaim(denial.id) }, denial.id), ` (${denial.status})`)))] : null,
    detail.denies ? [h("h3", {}, "Denies"), h("p", {}, h("button", { type: "button", class: "claim-link", onclick: () => showClaim(detail.denies.id) }, detail.denies.id))] : null,
    h("h3", {}, "In the report"),
    text,
    others.length ? [h("h3", {}, "Other claims on this edge"), h("ul", {}, others.map((other) => h("li", {}, claimLine(other))))] : null,
  );
  // Scroll the report box (not the page) so the quote sits in the middle of it.
  text.scrollTop = Math.max(mark.offsetTop - text.clientHeight / 2, 0);
}

/** A casualty figure as stated: the report's words, then the range they give. */
function countLine(count) {
  if (!count) return "not stated";
  const range = countText(count.min, count.max);
  return count.text ? `${count.text} (${range})` : range;
}

const CASUALTIES = ["killed", "injured", "abducted"];

/**
 * The figures one report gives. A report that carries its own (when reports of one incident disagree) gives those;
 * otherwise the incident's figure is the report's when its quote holds the figure's wording.
 */
function reportFigures(report, incident) {
  const figures = [];
  for (const what of CASUALTIES) {
    if (report[what]) figures.push({ what, count: report[what] });
    else if (incident[what]?.text && report.quote.toLowerCase().includes(incident[what].text.toLowerCase())) {
      figures.push({ what, count: incident[what] });
    }
  }
  return figures;
}

/** A quote with the wording of its figures marked. */
function quoteWithFigures(quote, figures) {
  const spans = [];
  for (const figure of figures) {
    const at = figure.count.text ? quote.toLowerCase().indexOf(figure.count.text.toLowerCase()) : -1;
    if (at >= 0) spans.push([at, at + figure.count.text.length]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const parts = [];
  let from = 0;
  for (const [start, end] of spans) {
    if (start < from) continue;
    parts.push(quote.slice(from, start), h("mark", { class: "figure" }, quote.slice(start, end)));
    from = end;
  }
  parts.push(quote.slice(from));
  return h("blockquote", { class: "quote" }, parts);
}

function entityButton(id, name, action, title) {
  return h("button", { type: "button", class: "claim-link entity-link", "data-entity": id, title, onclick: action }, name);
}

function showIncident(incident) {
  const detail = incident.detail;
  const place = detail.place;
  const colour = data.schema.incident_colours[detail.type] || "#8D9096";
  const where = [place?.name, detail.admin1 && detail.admin1 !== place?.name ? detail.admin1 : null,
    detail.country && detail.country.name !== place?.name ? detail.country.name : null].filter(Boolean).join(", ");
  const located = detail.location
    ? ` (${detail.location.lat.toFixed(3)}, ${detail.location.lon.toFixed(3)}${detail.location.precision ? `, ${detail.location.precision}` : ""})`
    : " (no coordinates: not on the map)";
  panel(
    h("h2", { class: "incident-title" }, h("span", { class: "swatch", style: `background:${colour}` }), " ",
      detail.type_label, where ? ` — ${place?.name || where}` : ""),
    h("dl", { class: "facts incident-facts" },
      h("dt", {}, "Type"), h("dd", { class: "incident-type" }, detail.type_label),
      h("dt", {}, "Date"), h("dd", { class: "incident-date" }, detail.date
        ? `${detail.date}${detail.end_date ? ` to ${detail.end_date}` : ""} (to the ${detail.date_precision})` : "not dated"),
      h("dt", {}, "Place"), h("dd", { class: "incident-place" }, (where || "not named") + located),
      CASUALTIES.map((what) => detail[what] || what !== "abducted"
        ? [h("dt", {}, what[0].toUpperCase() + what.slice(1)), h("dd", { class: `incident-${what}` }, countLine(detail[what]))]
        : null),
      h("dt", {}, "Reports"), h("dd", {}, `${detail.corroboration} distinct report(s), ${detail.reports.length} quote(s)`),
      detail.extracted_by && detail.extracted_by !== "curated"
        ? [h("dt", {}, "Read by"), h("dd", {}, h("span", { class: "badge extracted" }, `⚙ ${detail.extracted_by}`), ` confidence ${detail.confidence}`)]
        : null,
      detail.note ? [h("dt", {}, "Note"), h("dd", {}, detail.note)] : null),
    h("h3", {}, "Perpetrators, by whose account"),
    detail.perpetrators.length ? h("ul", { class: "incident-perpetrators" }, detail.perpetrators.map((p) => h("li", { "data-basis": p.basis },
      p.id ? entityButton(p.id, p.name, () => expand(p.id, { show: false }).catch((error) => showError("Could not expand", error, null)),
        "Expand in the graph") : h("em", {}, p.name),
      " ", h("span", { class: `badge ${p.basis}` }, p.basis),
      p.role !== "perpetrator" ? [" ", h("span", { class: "badge" }, p.role)] : null,
      p.asserted_by_name ? h("span", { class: "asserted-by" }, ` according to ${p.asserted_by_name}`) : " (no one named says so)",
      p.note ? h("div", { class: "hint" }, p.note) : null)))
      : h("p", { class: "hint" }, "No perpetrator named."),
    h("h3", {}, "Targets"),
    detail.targets.length ? h("ul", { class: "incident-targets" }, detail.targets.map((t) => h("li", {},
      t.id ? entityButton(t.id, t.name, () => focusNode(t.id), "Show in the graph") : h("em", {}, t.name),
      t.id ? null : h("span", { class: "hint" }, " (as described; no entity)"),
      t.note ? h("div", { class: "hint" }, t.note) : null)))
      : h("p", { class: "hint" }, "No target named."),
    h("h3", {}, `What each report says (${detail.reports.length})`),
    h("ol", { class: "incident-reports" }, detail.reports.map((report) => {
      const figures = reportFigures(report, detail);
      const cited = report.report;
      const item = h("li", { "data-source": report.source },
        h("div", { class: "source" }, /^https?:\/\//i.test(cited.url || "")
          ? h("a", { href: cited.url, target: "_blank", rel: "noopener noreferrer" }, `${cited.outlet}: ${cited.title}`)
          : `${cited.outlet}: ${cited.title}`, cited.published ? ` (${cited.published})` : ""),
        h("div", { class: "figures" }, figures.length
          ? figures.map((f) => `${f.what}: ${countLine(f.count)}`).join("; ")
          : "gives no casualty figure here"),
        quoteWithFigures(report.quote, figures));
      item.append(h("button", { type: "button", class: "claim-link", onclick: async (event) => {
        event.currentTarget.remove();
        const text = await source(report.source);
        item.append(reportWithQuote(text.text, { span: report.span, text: report.quote, before: "", after: "" }).report);
      } }, "Show it in the whole report"));
      return item;
    })),
    (detail.claims || []).length ? [h("h3", {}, `Claims about it (${detail.claims.length})`),
      h("ul", { class: "claims incident-claims", "aria-label": "Claims about the incident" },
        detail.claims.map((claim) => h("li", { "data-type": claim.type }, claimLine(claim))))] : null,
    detail.history.length ? [h("h3", {}, "History"), h("ul", { class: "incident-history" }, detail.history.map((change) => h("li", {},
      `${change.action} ${change.action === "merged" ? "from" : "into"} ${change.incident}`,
      change.reports.length ? ` (reports ${change.reports.join(", ")})` : "", ` by ${change.by}`,
      change.at ? ` on ${change.at}` : "", change.reason ? `: ${change.reason}` : "")))] : null,
    h("p", { class: "hint" }, "In the graph, this incident's perpetrators have a double ring and its targets a dashed one, beside the claims that point at it. ",
      "Click a perpetrator above to expand it there."),
    map ? h("button", { type: "button", onclick: () => map.centreOn(detail.id) }, "Centre the map on it") : null,
  );
}

function pathList(paths) {
  return h("ol", { class: "paths" }, paths.map((path) => h("li", {},
    h("p", { class: "path-summary" }, `${path.length} hop(s): `, path.nodes.map((id) => data.entities.get(id)?.name || id).join(" → ")),
    h("ol", { class: "hops", "aria-label": "Hops" }, path.hops.map((hop) => h("li", { class: "hop" },
      h("strong", {}, `${data.entities.get(hop.from)?.name || hop.from} — ${data.entities.get(hop.to)?.name || hop.to}`),
      h("ul", { class: "hop-claims" }, (hop.claims || []).map((claim) => h("li", {}, claimLine(claim))))))))));
}

// ------------------------------------------------------------------------- new from the feeds

/** A date some days back, as the date input takes it (YYYY-MM-DD, UTC). */
function daysAgo(days) {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/** Draw these claims (and their ends) in the view, then show the first in the panel. */
async function drawClaims(claims) {
  rememberClaims(claims);
  data.news = [...new Set([...data.news, ...claims.map((claim) => claim.id)])];
  await ensureEntities(claims.flatMap((claim) => [claim.subject, claim.object]));
  render();
  if (claims.length) await showClaim(claims[0].id);
}

function incidentItem(incident) {
  const outlets = [...new Set(incident.claims.map((claim) => claim.report.outlet))];
  return h("li", { class: "incident", "data-relation": `${incident.subject}|${incident.type}|${incident.object}` },
    h("button", { type: "button", class: "claim-link", onclick: () => drawClaims(incident.claims) },
      `${incident.subject_name} ${incident.type} ${incident.object_name}`),
    ` ${incident.date || "undated"} `,
    h("span", { class: "badge sources" }, `${incident.source_count} source${incident.source_count === 1 ? "" : "s"}`),
    h("div", { class: "outlets" }, outlets.join(", ")),
    h("div", { class: "arrived" }, `first heard ${incident.first_arrived.slice(0, 16).replace("T", " ")} UTC`),
    // the incident the graph holds (every report of it, placed on the map), when the reports were placed as one
    incident.incident ? h("button", { type: "button", class: "open-incident", onclick: () => chooseIncident(incident.incident) },
      "open the incident") : null);
}

function newClaimItem(claim) {
  return h("li", { class: "new-claim", "data-claim": claim.id },
    h("button", { type: "button", class: "claim-link", onclick: () => drawClaims([claim]) },
      `${claim.subject_name} ${claim.type} ${claim.object_name}`),
    " ", h("span", { class: `badge ${claim.status}` }, claim.status),
    h("blockquote", { class: "quote" }, claim.quote),
    h("div", { class: "cite" }, `${claim.report.outlet}, arrived ${claim.arrived_at.slice(0, 16).replace("T", " ")} UTC`));
}

/** What arrived through the feeds since a date: incidents with their sources, then every claim, newest first. */
async function showNew(since) {
  if (!since) return;
  try {
    const [incidents, claims] = await Promise.all([
      getJSON("/v1/feeds/new", { since, show: "incidents", limit: 50 }),
      getJSON("/v1/feeds/new", { since, show: "claims", limit: 100 }),
    ]);
    panel(
      h("h2", {}, `New since ${since}`),
      h("p", { class: "new-summary" }, `${incidents.count} incident${incidents.count === 1 ? "" : "s"} and `,
        `${claims.count} claim${claims.count === 1 ? "" : "s"} arrived through the feeds.`),
      h("h3", {}, `Incidents (${incidents.count})`),
      incidents.data.length ? h("ol", { class: "new-incidents", "aria-label": "New incidents" }, incidents.data.map(incidentItem))
        : h("p", { class: "hint" }, "No new incident."),
      h("h3", {}, `Claims (${claims.count})`),
      claims.data.length ? h("ol", { class: "new-claims", "aria-label": "New claims" }, claims.data.map(newClaimItem))
        : h("p", { class: "hint" }, "No claim arrived."),
      claims.count > claims.data.length ? h("p", { class: "hint" }, `The latest ${claims.data.length} are listed.`) : null,
    );
    say(`${claims.count} claim(s) arrived since ${since}`);
  } catch (error) {
    showError(`Could not read what arrived since ${since}`, error, null);
  }
}

function showPaths(paths) {
  const asked = describePathOptions(state);
  panel(h("h2", {}, `${paths.length > 1 ? "Paths" : "Path"} from ${state.from} to ${state.to}`),
    h("p", { class: "path-options", "data-found": String(paths.length) }, `${paths.length} found; asked for the ${asked}.`),
    paths.length ? pathList(paths) : h("p", { class: "no-path" }, `No path within 4 hops ${asked.replace(/^\d+ shortest /, "")}.`));
  say(paths.length ? `${paths.length} path(s), the shortest ${paths[0].length} hop(s)` : "no path");
}

// ------------------------------------------------------------------------------------ controls

function fillTypeSelect(select) {
  const byCategory = new Map();
  for (const [type, spec] of Object.entries(data.schema.relation_types)) {
    if (!byCategory.has(spec.category)) byCategory.set(spec.category, []);
    byCategory.get(spec.category).push(type);
  }
  for (const [category, types] of byCategory) {
    select.append(h("optgroup", { label: category }, types.map((type) => h("option", { value: type }, type))));
  }
}

function buildControls() {
  fillTypeSelect($("#expand-types"));
  fillTypeSelect($("#filter-types"));
  buildPathOptions(h, $("#path-options"), data.schema);
  for (const status of Object.keys(data.schema.statuses)) {
    $("#filter-status").append(h("label", {}, h("input", { type: "checkbox", value: status, checked: "" }), status));
  }
  const [since, until] = [$("#since"), $("#until")];
  for (const slider of [since, until]) {
    slider.max = String(Math.max(data.months.length - 1, 0));
    slider.disabled = data.months.length === 0;
  }
  until.value = until.max;
  buildIncidentFilters();
  const legend = $("#legend");
  legend.append(
    h("strong", {}, "Entity kinds"),
    h("ul", {}, Object.entries(data.schema.entity_kinds).map(([kind, spec]) => h("li", {},
      h("span", { class: "swatch", style: `background:${spec.colour}` }), kind))),
    h("strong", {}, "Claims"),
    h("ul", {},
      Object.entries(data.schema.category_colours).map(([category, colour]) => h("li", {},
        h("span", { class: "stroke", style: `border-color:${colour}` }), category)),
      h("li", {}, h("span", { class: "stroke dashed" }), "disputed or a denial"),
      h("li", {}, h("span", { class: "stroke dotted" }), "⚙ machine-extracted")),
    h("strong", {}, "Incident chosen on the map"),
    h("ul", {},
      h("li", {}, h("span", { class: "swatch ring perpetrator" }), "its perpetrators"),
      h("li", {}, h("span", { class: "swatch ring target" }), "its targets")),
  );
}

/** The map's filter options: every incident type of the ontology, and every actor named as perpetrator on some
 * account but a denial (the API's perpetrator filter leaves denials out too), each with how many incidents it
 * finds (a type counts the incidents of the types that refine it, as the API's filter takes them in). */
function buildIncidentFilters() {
  const byType = new Map();
  const byActor = new Map();
  for (const incident of data.incidents.all) {
    for (let type = incident.type, seen = new Set(); type && !seen.has(type); type = data.schema.incident_types[type]?.broader) {
      seen.add(type);
      byType.set(type, (byType.get(type) || 0) + 1);
    }
    const actors = new Map(incident.perpetrators.filter((p) => p.id && p.basis !== "denied").map((p) => [p.id, p.name]));
    for (const [id, name] of actors) byActor.set(id, { name, count: (byActor.get(id)?.count || 0) + 1 });
  }
  $("#incident-types").replaceChildren(...Object.entries(data.schema.incident_types).map(([type, spec]) =>
    h("option", { value: type }, `${spec.label} (${byType.get(type) || 0})`)));
  const actors = [...byActor.entries()].sort((a, b) => b[1].count - a[1].count || a[1].name.localeCompare(b[1].name));
  $("#incident-perpetrator").replaceChildren(h("option", { value: "" }, "any perpetrator"),
    ...actors.map(([id, actor]) => h("option", { value: id }, `${actor.name} (${actor.count})`)));
}

/** Read the filter controls into the state (no selection means no filter). */
function readFilters() {
  state.types = chosen($("#filter-types"));
  const boxes = [...document.querySelectorAll("#filter-status input")];
  const checked = boxes.filter((box) => box.checked).map((box) => box.value);
  state.status = checked.length === boxes.length ? [] : checked;
  const on = $("#dates-on").checked && data.months.length > 0;
  let [first, last] = [Number($("#since").value), Number($("#until").value)];
  if (first > last) [first, last] = [last, first];
  $("#since-out").textContent = data.months[Number($("#since").value)] || "";
  $("#until-out").textContent = data.months[Number($("#until").value)] || "";
  state.since = on ? data.months[first] : "";
  state.until = on ? data.months[last] : "";
  state.it = chosen($("#incident-types"));
  state.ip = $("#incident-perpetrator").value;
}

/** Set the filter controls from the state (a link being opened). */
function writeFilters() {
  for (const option of $("#filter-types").options) option.selected = state.types.includes(option.value);
  for (const box of document.querySelectorAll("#filter-status input")) box.checked = !state.status.length || state.status.includes(box.value);
  const index = (month, fallback) => {
    const found = data.months.indexOf(month);
    return found >= 0 ? found : fallback;
  };
  $("#dates-on").checked = Boolean(state.since || state.until);
  $("#since").value = String(index(state.since, 0));
  $("#until").value = String(index(state.until, data.months.length - 1));
  $("#since-out").textContent = data.months[Number($("#since").value)] || "";
  $("#until-out").textContent = data.months[Number($("#until").value)] || "";
  for (const option of $("#incident-types").options) option.selected = state.it.includes(option.value);
  const perpetrator = $("#incident-perpetrator");
  if (state.ip && ![...perpetrator.options].some((option) => option.value === state.ip)) {
    perpetrator.append(h("option", { value: state.ip }, state.ip)); // a link naming an actor with no incident now
  }
  perpetrator.value = state.ip;
}

/** Apply the filters to the graph and the timeline, and refetch the map when its dates changed. */
function refilter() {
  readFilters();
  cy.batch(() => applyFilters(viewContents().anchors));
  fitVisible();
  updateTimeline();
  writeURL();
  if (windowKey() !== shownWindow) scheduleMap();
}

/** A window chosen on the timeline becomes the sliders' window, so the graph and the map take it alike. */
function brush(first, last) {
  $("#since").value = String(data.months.indexOf(first));
  $("#until").value = String(data.months.indexOf(last));
  $("#dates-on").checked = true;
  refilter();
  say(first === last ? `Showing ${first} only` : `Showing ${first} to ${last}`);
}

async function refilterIncidents() {
  readFilters();
  writeURL();
  try {
    await refreshIncidents();
  } catch (error) {
    showError("Could not load the incidents", error, null);
  }
}

/** Frame what the filters leave, so a narrowed view does not sit in a corner of the old one. */
function fitVisible() {
  const visible = cy.elements(":visible");
  if (visible.empty()) return;
  cy.fit(visible, 40);
  if (cy.zoom() > 1.6) {
    cy.zoom(1.6);
    cy.center(visible);
  }
}

let suggestTimer = null;
function suggest(input) {
  clearTimeout(suggestTimer);
  suggestTimer = setTimeout(async () => {
    const text = input.value.trim();
    if (text.length < 2) return;
    const found = await getJSON("/v1/entities", { q: text, limit: 8 }).catch(() => ({ data: [] }));
    $("#entity-options").replaceChildren(...found.data.map((hit) => h("option", { value: hit.name },
      hit.matched && hit.matched !== hit.name ? `${hit.matched} → ${hit.name} (${hit.kind})` : `${hit.name} (${hit.kind})`)));
  }, 150);
}

function wire() {
  $("#ask-form").addEventListener("submit", (event) => { event.preventDefault(); ask($("#ask-input").value); });
  $("#search-form").addEventListener("submit", (event) => { event.preventDefault(); addEntity($("#search-input").value); });
  $("#path-form").addEventListener("submit", (event) => { event.preventDefault(); findPath($("#path-from").value, $("#path-to").value); });
  for (const input of [$("#search-input"), $("#path-from"), $("#path-to")]) input.addEventListener("input", () => suggest(input));
  $("#new-form").addEventListener("submit", (event) => { event.preventDefault(); showNew($("#new-since").value); });
  $("#new-since").value = daysAgo(7);
  $("#undo").addEventListener("click", undo);
  $("#reset").addEventListener("click", () => { clearEverything(); });
  $("#filter-types").addEventListener("change", refilter);
  $("#filter-status").addEventListener("change", refilter);
  $("#dates-on").addEventListener("change", refilter);
  for (const slider of [$("#since"), $("#until")]) {
    slider.addEventListener("input", () => { $("#dates-on").checked = true; refilter(); });
  }
  $("#clear-dates").addEventListener("click", () => { $("#dates-on").checked = false; refilter(); say("Showing all dates"); });
  $("#incident-types").addEventListener("change", refilterIncidents);
  $("#incident-perpetrator").addEventListener("change", refilterIncidents);
  $("#map-zoom-in").addEventListener("click", () => map?.zoomBy(1.5));
  $("#map-zoom-out").addEventListener("click", () => map?.zoomBy(1 / 1.5));
  $("#map-fit").addEventListener("click", () => map?.fit());
  $("#map-world").addEventListener("click", () => map?.world());
  cy.on("tap", "node", (event) => expand(event.target.id()).catch((error) => showError("Could not expand", error, null)));
  cy.on("tap", "edge", (event) => (event.target.hasClass("bundle") ? Promise.resolve(showBundle(event.target)) : showClaim(event.target.id()))
    .catch((error) => showError("Could not show the claim", error, null)));
  $("#show-hidden").addEventListener("click", () => { const count = view.showHidden(); render(); say(`${count} hidden node(s) shown again`); });
  $("#relayout").addEventListener("click", () => { view.run(); fitVisible(); say("Laid out again"); });
}

function cyStyle() {
  return [
    { selector: "node", style: {
      "background-color": "data(colour)", label: "data(label)", "font-size": 11, "text-valign": "bottom",
      "text-margin-y": 3, width: 22, height: 22, color: "#1d232a", "text-wrap": "wrap", "text-max-width": "140px",
      "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": "1px" } },
    { selector: "node.anchor", style: { "border-width": 2, "border-color": "#1d232a" } },
    { selector: "node.answer", style: { "border-width": 4, "border-color": "#f1c40f", width: 30, height: 30 } },
    // Rings in ink, not in a kind's colour, so they read on a node of any kind.
    { selector: "node.incident-target", style: { "border-width": 3, "border-style": "dashed", "border-color": "#1d232a", width: 30, height: 30 } },
    { selector: "node.incident-perpetrator", style: { "border-width": 7, "border-style": "double", "border-color": "#1d232a", width: 32, height: 32 } },
    { selector: "edge", style: {
      "curve-style": "bezier", width: 1.6, "line-color": "data(colour)", "target-arrow-color": "data(colour)",
      "target-arrow-shape": "triangle", "arrow-scale": 0.8, label: "data(label)", "font-size": 8,
      "text-rotation": "autorotate", color: "#39414a", "text-background-color": "#ffffff", "text-background-opacity": 0.8 } },
    { selector: "edge.symmetric", style: { "target-arrow-shape": "none" } },
    { selector: "edge.extracted", style: { "line-style": "dotted" } },
    { selector: "edge.disputed", style: { "line-style": "dashed", "line-dash-pattern": [6, 3] } },
    { selector: "edge.path", style: { width: 4 } },
    { selector: ":selected", style: { "overlay-color": "#1f5f99", "overlay-opacity": 0.25 } },
    { selector: ".filtered", style: { display: "none" } },
  ];
}

// ------------------------------------------------------------------------------------- startup

/** Rebuild the view a state describes, fetching everything again. */
async function restore(wanted) {
  explorer.restoring = true;
  try {
    clearView();
    state = wanted;
    writeFilters();
    readFilters();
    $("#ask-input").value = state.q;
    $("#path-from").value = state.from;
    $("#path-to").value = state.to;
    writePathOptions(state);
    let answer = null;
    if (state.q) answer = await loadAsk(state.q, state.ctx).catch((error) => { showError(`Could not answer “${state.q}”`, error, trySuggestion); return null; });
    if (answer) lastQuery = answer.query;
    await ensureEntities(state.e);
    for (const expansion of state.x) await loadExpansion(expansion.id, expansion.types, expansion.n).catch(() => null);
    let paths = null;
    if (state.from && state.to) paths = await loadPath(state.from, state.to).catch(() => null);
    if (state.inc) await loadIncident(state.inc).catch(() => { state.inc = ""; data.incident = null; });
    render();
    if (state.sel.startsWith("claim:")) await showClaim(state.sel.slice(6));
    else if (state.sel.startsWith("node:")) await showEntity(state.sel.slice(5));
    else if (state.sel === `incident:${state.inc}` && data.incident) showIncident(data.incident);
    else if (paths) showPaths(paths);
    else if (answer) showAnswer(answer);
    else if (nothingShown()) await showOverview();
    await refreshIncidents().catch((error) => showError("Could not load the incidents", error, null));
  } finally {
    explorer.restoring = false;
    writeURL();
  }
}

async function main() {
  let cytoscape;
  try {
    cytoscape = (await import(VENDOR)).default;
  } catch {
    $("#vendor-missing").hidden = false;
    explorer.error = "cytoscape missing";
    explorer.loaded = true;
    return;
  }
  let claimMonths;
  [data.schema, claimMonths, data.incidents.all, data.incidents.totals] = await Promise.all([
    getJSON("/v1/schema"),
    getJSON("/v1/timeline", { interval: "month" }),
    allPages("/v1/incidents", {}, (page) => page.data),
    getJSON("/v1/incidents/timeline", { interval: "month" }),
  ]);
  data.incidents.counted = data.incidents.totals;
  // The sliders span every month a claim or an incident falls in, so the timeline's brush always lands on one.
  const periods = [...claimMonths.buckets.map((bucket) => bucket.period), ...data.incidents.totals.buckets.map((bucket) => bucket.period)]
    .filter(Boolean).sort();
  data.months = periods.length ? monthsBetween(periods[0], periods[periods.length - 1]) : [];
  explorer.months = data.months;
  data.claimMonths = claimMonths.buckets.map((bucket) => bucket.period).filter(Boolean).sort();
  buildControls();
  const fcose = await registerLayout(cytoscape, loadScript);
  cy = cytoscape({ container: $("#cy"), style: [...cyStyle(), ...layoutStyles()], minZoom: 0.2, maxZoom: 3, boxSelectionEnabled: false });
  window.cy = cy;
  view = new GraphView(cy, { fcose, schema: data.schema });
  timeline = new Timeline($("#timeline-chart"), $("#timeline figcaption"), {
    onBrush: brush,
    onHover: (month) => map?.highlightMonth(month),
  });
  map = await startMap();
  wire();
  await restore(decode(location.hash));
  window.addEventListener("hashchange", () => restore(decode(location.hash)));
  explorer.loaded = true;
}

/** The map, once its libraries and outlines are loaded; without them the rest of the explorer still works. */
async function startMap() {
  try {
    for (const file of MAP_LIBRARIES) await loadScript(file);
    const world = await getJSON(OUTLINES);
    const incidentMap = new IncidentMap($("#map"), {
      d3: window.d3, topojson: window.topojson, world, colours: data.schema.incident_colours, tooltip: $("#map-tooltip"),
      onHover: (feature) => timeline.highlight(feature ? monthOf(feature.properties.date) : null),
      onSelect: (feature) => chooseIncident(feature.properties.id),
    });
    window.incidentMap = incidentMap;
    return incidentMap;
  } catch (error) {
    explorer.mapError = String(error.message || error);
    const notice = $("#map-notice");
    notice.textContent = `The map could not be drawn (${explorer.mapError}): run npm ci in the repository root, then reload.`;
    notice.hidden = false;
    return null;
  }
}

function loadScript(src) {
  return busy(new Promise((resolve, reject) => {
    const script = h("script", { src });
    script.addEventListener("load", resolve);
    script.addEventListener("error", () => reject(new Error(`${src} did not load`)));
    document.head.append(script);
  }));
}

main().catch((error) => {
  explorer.error = String(error);
  explorer.loaded = true;
  say(`The explorer could not start: ${error.message}`);
});
