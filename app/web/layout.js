// How the graph is drawn so that an expanded hub stays readable: the fCoSE layout (nodes and their labels kept
// apart, pinned nodes left where the analyst put them), claims of one type between two entities bundled into one
// edge with a count, nodes sized by how many claims in view touch them and shaped by kind, nodes the analyst hid or
// folded away, and expansions capped at a few neighbours with "show more". Kinds, types and colours come from the
// ontology (GET /v1/schema), never from this file.

// The layout's libraries, UMD builds loaded in this order (fCoSE needs cose-base, which needs layout-base).
export const LAYOUT_LIBRARIES = ["layout-base.js", "cose-base.js", "cytoscape-fcose.js"].map((file) => `/assets/vendor/${file}`);
// Neighbours an expansion shows at first, and how many more each "show more" adds.
export const EXPANSION_STEP = 12;
// Aliases the side panel lists before "more".
export const ALIASES_SHOWN = 5;
// Shapes given to entity kinds in the ontology's order (the colour already tells kinds apart; the shape tells them
// apart in grey print and for readers who do not see the colours).
const SHAPES = ["round-rectangle", "ellipse", "diamond", "hexagon", "triangle", "octagon", "star", "vee", "rhomboid", "tag"];

/** Register fCoSE with Cytoscape; false (and the built-in cose layout used instead) when its files are missing. */
export async function registerLayout(cytoscape, loadScript) {
  try {
    for (const file of LAYOUT_LIBRARIES) await loadScript(file);
    cytoscape.use(window.cytoscapeFcose);
    return true;
  } catch {
    return false;
  }
}

/** The shape of each entity kind, by the ontology's order of kinds. */
export function kindShapes(schema) {
  return Object.fromEntries(Object.keys(schema.entity_kinds).map((kind, index) => [kind, SHAPES[index % SHAPES.length]]));
}

/** Styles added after the explorer's own: sizes by degree, shapes by kind, bundles, pinned and hidden nodes. */
export function layoutStyles() {
  return [
    { selector: "node[degree]", style: {
      width: (node) => size(node.data("degree")), height: (node) => size(node.data("degree")) } },
    { selector: "node[shape]", style: { shape: "data(shape)" } },
    { selector: "node.pinned", style: { "border-width": 3, "border-style": "solid", "border-color": "#1f5f99" } },
    { selector: "node.folding", style: { "border-width": 3, "border-style": "dotted", "border-color": "#1d232a" } },
    { selector: "edge.bundle", style: { width: (edge) => Math.min(1.6 + edge.data("count"), 7), "font-weight": "bold" } },
    { selector: "edge.bundle.on-path", style: { width: 5 } },
    { selector: ".bundled, .user-hidden, .folded", style: { display: "none" } },
  ];
}

/** A node's side in pixels: grows with the square root of its degree, so hubs stand out without swamping. */
function size(degree) {
  return Math.round(18 + 7 * Math.sqrt(Math.max(degree || 0, 0)));
}

/**
 * The neighbours an expansion shows: the `limit` joined to the centre by the most claims (ties by id), and the
 * claims among those shown. `total` says how many there are in all, so the panel can offer the rest.
 */
export function capExpansion(subgraph, limit) {
  const centre = subgraph.center;
  const weight = new Map();
  for (const link of subgraph.links) {
    const other = link.source === centre ? link.target : link.target === centre ? link.source : null;
    if (other) weight.set(other, (weight.get(other) || 0) + 1);
  }
  // Ties by id, compared as plain strings, so the choice is the same in any browser and locale.
  const ranked = subgraph.nodes.map((node) => node.id).filter((id) => id !== centre)
    .sort((a, b) => (weight.get(b) || 0) - (weight.get(a) || 0) || (a < b ? -1 : a > b ? 1 : 0));
  const kept = new Set([centre, ...ranked.slice(0, limit)]);
  return {
    nodes: [...kept],
    claims: subgraph.links.filter((link) => kept.has(link.source) && kept.has(link.target)).map((link) => link.claim.id),
    total: ranked.length,
  };
}

/** The aliases, the first few shown and the rest behind a "more" button that lists them in place. */
export function aliasList(h, aliases) {
  const names = aliases.map((alias) => alias.name);
  if (!names.length) return "—";
  const shown = h("span", { class: "aliases-shown" }, names.slice(0, ALIASES_SHOWN).join(", "));
  if (names.length <= ALIASES_SHOWN) return h("span", { class: "aliases", "data-count": names.length }, shown);
  const more = h("button", { type: "button", class: "claim-link aliases-more", "aria-expanded": "false",
    onclick: () => { shown.textContent = names.join(", "); more.remove(); } }, `more (${names.length - ALIASES_SHOWN})`);
  return h("span", { class: "aliases", "data-count": names.length }, shown, " ", more);
}

export class GraphView {
  /** @param cy the Cytoscape instance; `fcose` whether fCoSE is registered; `schema` the ontology. */
  constructor(cy, { fcose, schema }) {
    Object.assign(this, { cy, fcose, schema });
    this.shapes = kindShapes(schema);
    this.pinned = new Set();
    this.hidden = new Set();
    this.folded = new Set(); // nodes collapsed: their neighbours joined to nothing else shown are folded away
  }

  /** Redo what depends on what is shown (bundles, degrees, shapes, hidden and folded nodes); call after filters. */
  decorate() {
    const cy = this.cy;
    cy.remove(cy.edges(".bundle"));
    cy.elements().removeClass("bundled user-hidden folded folding");
    for (const id of this.hidden) cy.getElementById(id).addClass("user-hidden");
    for (const id of this.folded) {
      const node = cy.getElementById(id);
      if (node.empty()) continue;
      node.addClass("folding");
      // A neighbour goes when all its claims in view join it to this node, so nothing else loses an edge.
      node.neighborhood("node").forEach((other) => {
        if (this.pinned.has(other.id()) || other.hasClass("anchor")) return;
        const elsewhere = other.connectedEdges().filter((edge) => !edge.hasClass("filtered") && !edge.connectedNodes().contains(node));
        if (elsewhere.empty()) other.addClass("folded");
      });
    }
    // Worked out from the classes, not from Cytoscape's visible(), whose style may lag inside a batch.
    const gone = (node) => node.hasClass("filtered") || node.hasClass("user-hidden") || node.hasClass("folded");
    const shown = (edge) => !edge.hasClass("filtered") && !gone(edge.source()) && !gone(edge.target());
    const groups = new Map();
    cy.edges().forEach((edge) => {
      if (!shown(edge)) return;
      const [a, b] = [edge.data("source"), edge.data("target")];
      // A symmetric type reads the same either way, so both ways go in one bundle.
      const ends = edge.hasClass("symmetric") && b < a ? [b, a] : [a, b];
      const key = `${ends[0]}|${edge.data("type")}|${ends[1]}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(edge);
    });
    for (const [key, edges] of groups) {
      if (edges.length < 2) continue;
      const [source, type, target] = key.split("|");
      const first = edges[0];
      const classes = ["bundle"];
      if (first.hasClass("symmetric")) classes.push("symmetric");
      if (edges.every((edge) => edge.hasClass("disputed"))) classes.push("disputed");
      if (edges.some((edge) => edge.hasClass("path"))) classes.push("on-path");
      cy.add({ group: "edges", classes: classes.join(" "), data: {
        id: `bundle:${key}`, source, target, type, count: edges.length, colour: first.data("colour"),
        claims: edges.map((edge) => edge.id()), label: `${type} ×${edges.length}` } });
      edges.forEach((edge) => edge.addClass("bundled"));
    }
    cy.nodes().forEach((node) => {
      const degree = node.connectedEdges().filter((edge) => !edge.hasClass("bundle") && shown(edge)).length;
      node.data({ degree, shape: this.shapes[node.data("kind")] || "ellipse" });
      node.toggleClass("pinned", this.pinned.has(node.id()));
    });
  }

  /** The edge drawn for a claim: its bundle when it has one. */
  edgeFor(claimId) {
    const edge = this.cy.getElementById(claimId);
    if (!edge.hasClass("bundled")) return edge;
    return this.cy.edges(".bundle").filter((bundle) => bundle.data("claims").includes(claimId));
  }

  /** Lay out what is shown with fCoSE (pinned nodes stay put); the built-in cose when fCoSE is missing. */
  run() {
    const cy = this.cy;
    const visible = cy.elements(":visible");
    if (visible.empty()) return;
    const fixed = visible.nodes().filter((node) => this.pinned.has(node.id()))
      .map((node) => ({ nodeId: node.id(), position: { ...node.position() } }));
    const options = this.fcose
      ? { name: "fcose", quality: "proof", randomize: fixed.length === 0,
        animate: false, nodeDimensionsIncludeLabels: true, nodeSeparation: 120, idealEdgeLength: () => 150,
        nodeRepulsion: () => 45000, edgeElasticity: () => 0.3, gravity: 0.2, numIter: 2500, padding: 30, tile: true,
        fixedNodeConstraint: fixed.length ? fixed : undefined }
      : { name: "cose", animate: false, randomize: false, nodeDimensionsIncludeLabels: true,
        idealEdgeLength: () => 140, edgeElasticity: () => 100, nodeRepulsion: () => 20000, padding: 30 };
    visible.layout(options).run();
  }

  pin(id) {
    if (this.pinned.has(id)) this.pinned.delete(id);
    else this.pinned.add(id);
    const node = this.cy.getElementById(id);
    if (this.pinned.has(id)) node.lock(); else node.unlock();
    node.toggleClass("pinned", this.pinned.has(id));
    return this.pinned.has(id);
  }

  hide(id) {
    this.hidden.add(id);
    this.pinned.delete(id);
    this.cy.getElementById(id).unlock();
  }

  showHidden() {
    const count = this.hidden.size;
    this.hidden.clear();
    return count;
  }

  fold(id) {
    if (this.folded.has(id)) this.folded.delete(id);
    else this.folded.add(id);
    return this.folded.has(id);
  }

  /** Forget every node choice (a cleared view). */
  reset() {
    this.cy.nodes().unlock();
    this.pinned.clear();
    this.hidden.clear();
    this.folded.clear();
  }
}
