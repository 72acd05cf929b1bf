// Views kept and shared. The view already lives in the URL's hash (state.js: entities, expansions, filters, dates,
// selection), so a link restores it; here that link is shown and copied, kept under a name in localStorage (this
// browser only: no server holds anyone's views) and listed to reopen; and what the view shows is exported: the
// claims drawn, with their quotes and sources, as CSV; the graph as GraphML; the picture as PNG (Cytoscape's png()).
// Everything exported is built in the page from what it drew; files are handed to the browser as blob URLs of
// this origin, so nothing leaves it.
import { loadEvidenceMap } from "./evidence.js";

const STORAGE = "kg-saved-views";

/** The saved views, newest first: [{name, hash, saved}]. */
export function savedViews() {
  try {
    const views = JSON.parse(localStorage.getItem(STORAGE) || "[]");
    return Array.isArray(views) ? views.filter((view) => view && typeof view.name === "string" && typeof view.hash === "string") : [];
  } catch {
    return [];
  }
}

function keep(views) {
  localStorage.setItem(STORAGE, JSON.stringify(views));
}

/** Save the view under a name; a name saved before is replaced. */
export function saveView(name, hash) {
  const views = savedViews().filter((view) => view.name !== name);
  views.unshift({ name, hash, saved: new Date().toISOString() });
  keep(views);
}

export function deleteView(name) {
  keep(savedViews().filter((view) => view.name !== name));
}

// ------------------------------------------------------------------------------------- exports

const CSV_COLUMNS = ["claim", "subject", "subject_name", "type", "object", "object_name", "status", "disputed",
  "asserted_by", "asserted_by_name", "date", "end_date", "quote", "source", "source_title", "outlet", "url",
  "published", "reliability", "corroboration"];

function csvCell(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The claims as CSV (RFC 4180: quoted where needed, CRLF line ends), one row a claim. */
export function claimsCSV(rows) {
  return [CSV_COLUMNS, ...rows.map((row) => CSV_COLUMNS.map((column) => row[column]))]
    .map((cells) => cells.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

// Characters XML 1.0 does not allow, even escaped, dropped from text so the file always parses.
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function xml(value) {
  return String(value ?? "").replace(NOT_XML, "").replaceAll("&", "&amp;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&apos;");
}

const NODE_KEYS = ["name", "kind"];
const EDGE_KEYS = ["claim", "type", "status", "date", "asserted_by", "quote", "source", "source_title", "reliability"];

/** The graph as GraphML: entities as nodes, claims as directed edges, each with its fields as data. */
export function graphML(nodes, rows) {
  const keys = [...NODE_KEYS.map((name) => `  <key id="n_${name}" for="node" attr.name="${name}" attr.type="string"/>`),
    ...EDGE_KEYS.map((name) => `  <key id="e_${name}" for="edge" attr.name="${name}" attr.type="string"/>`)];
  const data = (prefix, record, names) => names.filter((name) => record[name] !== undefined && record[name] !== null && record[name] !== "")
    .map((name) => `<data key="${prefix}_${name}">${xml(record[name])}</data>`).join("");
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
      'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    ...keys,
    '  <graph id="kg-view" edgedefault="directed">',
    ...nodes.map((node) => `    <node id="${xml(node.id)}">${data("n", node, NODE_KEYS)}</node>`),
    ...rows.map((row) => `    <edge id="${xml(row.claim)}" source="${xml(row.subject)}" target="${xml(row.object)}">${data("e", row, EDGE_KEYS)}</edge>`),
    "  </graph>",
    "</graphml>",
    "",
  ].join("\n");
}

/** Hand a file to the browser: a blob URL of this origin, clicked, then let go. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The rows of the claims in view, with their sources and evidence. `view`: claims() (the claims drawn and not
 * filtered out), name(id), sourceOf(id) (the page's cached GET /v1/sources/{id}), getJSON. */
export async function viewRows(view) {
  const claims = view.claims();
  const evidence = await loadEvidenceMap(view.getJSON, claims.map((claim) => claim.id));
  const sources = new Map();
  for (const id of new Set(claims.map((claim) => claim.source))) {
    const cited = claims.find((claim) => claim.source === id && claim.report)?.report;
    sources.set(id, cited || (await view.sourceOf(id)).source);
  }
  return claims.map((claim) => {
    const source = sources.get(claim.source) || {};
    const found = evidence.get(claim.id) || {};
    return {
      claim: claim.id, subject: claim.subject, subject_name: view.name(claim.subject), type: claim.type,
      object: claim.object, object_name: view.name(claim.object), status: claim.status, disputed: claim.disputed ? "yes" : "no",
      asserted_by: claim.asserted_by, asserted_by_name: found.asserted_by_name || claim.asserted_by,
      date: claim.date || "", end_date: claim.end_date || "", quote: claim.quote, source: claim.source,
      source_title: source.title || "", outlet: source.outlet || "", url: source.url || "", published: source.published || "",
      reliability: source.reliability || "", corroboration: found.corroboration ?? "",
    };
  });
}

/** Wire the Views box. `view` as for viewRows, plus cy, h, say, hash() (the view's hash now). */
export function wireViews(view) {
  const { h, say } = view;
  const $ = (selector) => document.querySelector(selector);
  const list = $("#saved-views");

  function drawList() {
    const views = savedViews();
    list.replaceChildren(...(views.length ? views.map((saved) => h("li", { "data-name": saved.name },
      h("button", { type: "button", class: "open-view", title: `Open the view saved as “${saved.name}”`,
        onclick: () => { location.hash = saved.hash; say(`Opened the view “${saved.name}”`); } }, saved.name),
      " ", h("button", { type: "button", class: "delete-view", "aria-label": `Delete the view “${saved.name}”`,
        onclick: () => { deleteView(saved.name); drawList(); say(`Deleted the view “${saved.name}”`); } }, "×")))
      : [h("li", { class: "hint" }, "No saved view yet.")]));
  }

  $("#copy-link").addEventListener("click", async () => {
    const link = $("#view-link");
    link.value = `${location.origin}${location.pathname}#${view.hash()}`;
    link.select();
    try {
      await navigator.clipboard.writeText(link.value);
      say("Link to this view copied");
    } catch {
      say("Link to this view selected: copy it with Ctrl+C");
    }
  });
  $("#save-view-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("#view-name").value.trim();
    if (!name) return;
    saveView(name, view.hash());
    $("#view-name").value = "";
    drawList();
    say(`Saved this view as “${name}”`);
  });
  const stamp = () => new Date().toISOString().slice(0, 19).replaceAll(":", "-");
  const exporting = (what, make) => async () => {
    window.explorer.pending += 1;
    try {
      await make();
    } catch (error) {
      say(`Could not export the ${what}: ${error.message}`);
    } finally {
      window.explorer.pending -= 1;
    }
  };
  $("#export-csv").addEventListener("click", exporting("claims", async () => {
    const rows = await viewRows(view);
    download(new Blob([claimsCSV(rows)], { type: "text/csv;charset=utf-8" }), `kg-view-${stamp()}.csv`);
    say(`Exported ${rows.length} claim(s) as CSV`);
  }));
  $("#export-graphml").addEventListener("click", exporting("graph", async () => {
    const rows = await viewRows(view);
    const nodes = view.cy.nodes(":visible").map((node) => ({ id: node.id(), name: node.data("name"), kind: node.data("kind") }));
    download(new Blob([graphML(nodes, rows)], { type: "application/graphml+xml" }), `kg-view-${stamp()}.graphml`);
    say(`Exported ${nodes.length} node(s) and ${rows.length} claim(s) as GraphML`);
  }));
  $("#export-png").addEventListener("click", exporting("picture", async () => {
    const blob = view.cy.png({ output: "blob", bg: "#ffffff", full: true, scale: 2 });
    download(blob, `kg-view-${stamp()}.png`);
    say("Exported the graph as PNG");
  }));
  drawList();
}
