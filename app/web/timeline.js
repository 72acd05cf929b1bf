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
 * Draw incidents (claims of the given types) per month into `chart`.
 * Claims dated only to the year cannot be placed in a month; they are counted in the caption.
 */
export function drawTimeline(chart, caption, claims, incidentTypes) {
  chart.replaceChildren();
  const incidents = claims.filter((claim) => incidentTypes.includes(claim.type));
  const byMonth = new Map();
  let imprecise = 0;
  for (const claim of incidents) {
    if (!claim.date || claim.date.length < 7) { imprecise += 1; continue; }
    const month = claim.date.slice(0, 7);
    byMonth.set(month, (byMonth.get(month) || 0) + 1);
  }
  const placed = incidents.length - imprecise;
  caption.textContent = placed
    ? `Incidents by month in this view (${incidentTypes.join(", ")}): ${placed} in ${byMonth.size} month(s)` +
      (imprecise ? `, ${imprecise} dated only to the year or undated` : "")
    : `No incidents (${incidentTypes.join(", ")}) with a month in this view` +
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
