// The incidents chart: plain SVG, one bar per month, so it needs no charting library.
import { monthsBetween } from "./state.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/**
 * The incidents the claims in view are about, each once: claims sharing an `incident` id are one incident, dated
 * by the incident's record when `known` (id -> incident, from GET /v1/incidents) has it, else by its first dated
 * claim; a claim of one of `incidentTypes` (an attack) with no incident id is an incident of its own.
 */
export function incidentsInView(claims, incidentTypes, known) {
  const found = new Map();
  for (const claim of claims) {
    if (claim.incident) {
      const record = known.get(claim.incident);
      const previous = found.get(claim.incident);
      const date = record ? record.date : (previous && previous.date) || claim.date;
      found.set(claim.incident, { id: claim.incident, date: date || null });
    } else if (incidentTypes.includes(claim.type)) {
      found.set(`claim:${claim.id}`, { id: claim.id, date: claim.date || null });
    }
  }
  return [...found.values()];
}

/**
 * Draw the incidents in view per month into `chart` (see `incidentsInView`): three outlets' claims about one
 * bombing are one incident, not three. Incidents dated only to the year cannot be placed in a month; they are
 * counted in the caption.
 */
export function drawTimeline(chart, caption, claims, incidentTypes, known = new Map()) {
  chart.replaceChildren();
  const incidents = incidentsInView(claims, incidentTypes, known);
  const byMonth = new Map();
  let imprecise = 0;
  for (const incident of incidents) {
    if (!incident.date || incident.date.length < 7) { imprecise += 1; continue; }
    const month = incident.date.slice(0, 7);
    byMonth.set(month, (byMonth.get(month) || 0) + 1);
  }
  const placed = incidents.length - imprecise;
  chart.dataset.incidents = String(incidents.length);
  caption.textContent = placed
    ? `Incidents by month in this view: ${placed} in ${byMonth.size} month(s)` +
      (imprecise ? `, ${imprecise} dated only to the year or undated` : "")
    : "No incidents with a month in this view" +
      (imprecise ? `; ${imprecise} dated only to the year or undated` : "");
  chart.setAttribute("aria-label", caption.textContent);
  if (!placed) return;
  const sorted = [...byMonth.keys()].sort();
  const months = monthsBetween(sorted[0], sorted[sorted.length - 1]);
  const width = chart.clientWidth || 600;
  const height = 120;
  const top = 14;
  const bottom = 22;
  const most = Math.max(...byMonth.values());
  const step = width / months.length;
  months.forEach((month, index) => {
    const count = byMonth.get(month) || 0;
    const x = index * step;
    if (count) {
      const barHeight = ((height - top - bottom) * count) / most;
      const barWidth = Math.min(Math.max(step * 0.8, 1), 48);
      const bar = svg("rect", {
        class: "bar", x: x + (step - barWidth) / 2, width: barWidth, y: height - bottom - barHeight,
        height: barHeight, "data-month": month, "data-count": count,
      });
      bar.append(svg("title", {}, `${month}: ${count} incident(s)`));
      chart.append(bar);
      if (step >= 14) chart.append(svg("text", { x: x + step / 2, y: height - bottom - barHeight - 3, "text-anchor": "middle" }, count));
    }
    const first = index === 0;
    const last = index === months.length - 1;
    const yearStart = month.endsWith("-01") && step * 12 >= 40;
    if (first || last || yearStart || step >= 40) {
      chart.append(svg("text", { x: x + step / 2, y: height - 6, "text-anchor": first ? "start" : last ? "end" : "middle" }, month));
    }
  });
  chart.append(svg("line", { x1: 0, x2: width, y1: height - bottom, y2: height - bottom, stroke: "#999" }));
}
