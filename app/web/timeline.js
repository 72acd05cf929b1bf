// The incidents chart: plain SVG, one bar per month counting incidents (not claims: three claims about one air
// strike are one incident), so it needs no charting library. The counts come from GET /v1/incidents/timeline,
// made by the store, so drawing it never reads the incidents themselves. It counts what the map's type and perpetrator filters
// let through, at any date, so that choosing dates on it does not empty it; the darker foot of a bar is the share
// of those incidents that claims shown in the graph are about. Dragging across it (or clicking a bar, or Enter on
// a focused bar) chooses a window of months, which the explorer applies to the map and the graph alike.
import { monthsBetween } from "./state.js";

const SVG = "http://www.w3.org/2000/svg";
const HEIGHT = 120;
const TOP = 14;
const BOTTOM = 22;

function svg(tag, attributes, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export class Timeline {
  /**
   * @param {SVGSVGElement} chart
   * @param {HTMLElement} caption  says what is counted and what cannot be placed in a month
   * @param {object} callbacks  onBrush(firstMonth, lastMonth) when a window is chosen, onHover(month|null)
   */
  constructor(chart, caption, { onBrush, onHover }) {
    Object.assign(this, { chart, caption, onBrush, onHover });
    this.months = [];
    this.hot = null;
    this.selectedMonth = null;
    this.wire();
  }

  /**
   * Draw the counts GET /v1/incidents/timeline gives (`counts`: {buckets: [{period, count}], imprecise, undated},
   * counted by the store, so no incident is sent), shading the window {since, until}; `inView`, the same counts for
   * the incidents the graph's visible claims are about (null: none).
   */
  draw(counts, window, inView = null) {
    const chart = this.chart;
    chart.replaceChildren();
    const byMonth = new Map(counts.buckets.map((bucket) => [bucket.period, bucket.count]));
    const viewedByMonth = new Map((inView?.buckets || []).map((bucket) => [bucket.period, bucket.count]));
    const imprecise = counts.imprecise + counts.undated;
    const placed = [...byMonth.values()].reduce((sum, count) => sum + count, 0);
    const viewed = inView ? [...viewedByMonth.values()].reduce((sum, count) => sum + count, 0) + inView.imprecise + inView.undated : 0;
    const rest = imprecise ? `; ${imprecise} dated only to the year or undated` : "";
    const shown = viewed ? ` (dark: the ${viewed} the graph's claims are about)` : "";
    chart.dataset.incidents = String(placed + imprecise);
    chart.dataset.inView = String(viewed);
    this.caption.textContent = placed
      ? `Incidents by month: ${placed} in ${byMonth.size} month(s)${shown}${rest}. Drag across the bars to show only those months on the map and in the graph.`
      : `No incident with a month matches the map's filters${rest}.`;
    chart.setAttribute("aria-label", this.caption.textContent);
    const ends = [...byMonth.keys(), window.since, window.until].filter(Boolean).sort();
    this.months = ends.length ? monthsBetween(ends[0], ends[ends.length - 1]) : [];
    this.slots = slots(this.months, byMonth);
    if (!this.slots.length) return;
    const width = chart.clientWidth || 600;
    const units = this.slots.reduce((sum, slot) => sum + slot.units, 0);
    const step = width / units;
    let x = 0;
    for (const slot of this.slots) { slot.x = x; slot.width = slot.units * step; x += slot.width; }
    const most = Math.max(1, ...byMonth.values());
    const inWindow = (month) => (!window.since || month >= window.since) && (!window.until || month <= window.until);
    if (window.since || window.until) {
      const first = this.slots[this.slotOf(window.since || this.months[0])];
      const last = this.slots[this.slotOf(window.until || this.months[this.months.length - 1])];
      chart.append(svg("rect", { class: "brush", x: first.x, width: last.x + last.width - first.x, y: 0,
        height: HEIGHT - BOTTOM, "data-since": window.since || "", "data-until": window.until || "" }));
    }
    this.slots.forEach((slot, index) => {
      const middle = slot.x + slot.width / 2;
      if (slot.gap) {
        chart.append(svg("text", { class: "gap", x: middle, y: HEIGHT - BOTTOM - 6, "text-anchor": "middle" }, "⋯"));
        chart.append(svg("text", { x: middle, y: HEIGHT - 6, "text-anchor": "middle" }, gapText(slot)));
        chart.append(svg("line", { class: "gap-mark", x1: middle - 3, x2: middle + 3, y1: HEIGHT - BOTTOM + 4, y2: HEIGHT - BOTTOM - 4 }));
        return;
      }
      const month = slot.from;
      const count = byMonth.get(month) || 0;
      if (count) {
        const barHeight = ((HEIGHT - TOP - BOTTOM) * count) / most;
        const barWidth = Math.min(Math.max(slot.width * 0.8, 2), 48);
        const classes = ["bar", inWindow(month) ? "in-window" : "outside"];
        if (month === this.hot) classes.push("hot");
        if (month === this.selectedMonth) classes.push("selected");
        const seen = viewedByMonth.get(month) || 0;
        const described = `${month}: ${count} incident(s)${seen ? `, ${seen} of them in the graph` : ""}`;
        const bar = svg("rect", {
          class: classes.join(" "), x: middle - barWidth / 2, width: barWidth, y: HEIGHT - BOTTOM - barHeight,
          height: barHeight, "data-month": month, "data-count": count, "data-in-view": seen, tabindex: 0, role: "button",
          "aria-label": `${described}; press Enter to show only this month`,
        });
        bar.append(svg("title", {}, described));
        chart.append(bar);
        if (seen) {
          const footHeight = (barHeight * seen) / count;
          chart.append(svg("rect", { class: "in-view", x: middle - barWidth / 2, width: barWidth,
            y: HEIGHT - BOTTOM - footHeight, height: footHeight, "data-month": month }));
        }
        if (slot.width >= 14) chart.append(svg("text", { x: middle, y: HEIGHT - BOTTOM - barHeight - 3, "text-anchor": "middle" }, count));
      }
      const first = index === 0;
      const last = index === this.slots.length - 1;
      const yearStart = month.endsWith("-01") && step * 12 >= 40;
      if (first || last || yearStart || slot.width >= 44) {
        chart.append(svg("text", { x: first ? slot.x : last ? slot.x + slot.width : middle, y: HEIGHT - 6,
          "text-anchor": first ? "start" : last ? "end" : "middle" }, month));
      }
    });
    chart.append(svg("line", { x1: 0, x2: width, y1: HEIGHT - BOTTOM, y2: HEIGHT - BOTTOM, stroke: "#999" }));
  }

  /** The index of the slot a month falls in. */
  slotOf(month) {
    const index = this.slots.findIndex((slot) => slot.from <= month && month <= slot.to);
    return index >= 0 ? index : month < this.slots[0].from ? 0 : this.slots.length - 1;
  }

  /** Light up one month's bar (a map point under the pointer), or none. */
  highlight(month) {
    this.hot = month;
    for (const bar of this.chart.querySelectorAll("rect.bar")) bar.classList.toggle("hot", bar.dataset.month === month);
  }

  /** Mark the month of the selected incident, or none. */
  select(month) {
    this.selectedMonth = month;
    for (const bar of this.chart.querySelectorAll("rect.bar")) bar.classList.toggle("selected", bar.dataset.month === month);
  }

  /** The slot under a horizontal screen position. */
  slotAt(clientX) {
    const x = clientX - this.chart.getBoundingClientRect().left;
    const index = this.slots.findIndex((slot) => x < slot.x + slot.width);
    return index >= 0 ? index : this.slots.length - 1;
  }

  wire() {
    const chart = this.chart;
    chart.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || !this.slots?.length) return;
      event.preventDefault();
      chart.setPointerCapture(event.pointerId);
      const start = this.slotAt(event.clientX);
      const box = svg("rect", { class: "brush dragging", y: 0, height: HEIGHT - BOTTOM });
      chart.querySelectorAll("rect.brush").forEach((old) => old.remove());
      chart.prepend(box);
      let end = start;
      const show = () => {
        const [a, b] = [this.slots[Math.min(start, end)], this.slots[Math.max(start, end)]];
        box.setAttribute("x", a.x);
        box.setAttribute("width", b.x + b.width - a.x);
      };
      show();
      const move = (moved) => { end = this.slotAt(moved.clientX); show(); };
      const up = (released) => {
        chart.removeEventListener("pointermove", move);
        chart.removeEventListener("pointerup", up);
        end = this.slotAt(released.clientX);
        this.onBrush(this.slots[Math.min(start, end)].from, this.slots[Math.max(start, end)].to);
      };
      chart.addEventListener("pointermove", move);
      chart.addEventListener("pointerup", up);
    });
    chart.addEventListener("keydown", (event) => {
      const month = event.target.dataset?.month;
      if (month && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        this.onBrush(month, month);
      }
    });
    chart.addEventListener("pointerover", (event) => {
      const month = event.target.dataset?.month || null;
      if (month !== this.hot) { this.highlight(month); this.onHover(month); }
    });
    chart.addEventListener("pointerleave", () => { this.highlight(null); this.onHover(null); });
    chart.addEventListener("focusin", (event) => { const month = event.target.dataset?.month || null; this.highlight(month); this.onHover(month); });
    chart.addEventListener("focusout", () => { this.highlight(null); this.onHover(null); });
  }
}

// A run of more empty months than this is drawn as one narrow gap, so a lone old incident does not squeeze the
// months that matter into slivers; the gap is marked and labelled with its length.
const LONGEST_RUN = 12;
const GAP_UNITS = 3;

/** The chart's slots: one per month, except long runs of empty months, each folded into one gap slot. */
function slots(months, byMonth) {
  const out = [];
  let run = [];
  const flush = () => {
    if (run.length > LONGEST_RUN) out.push({ gap: true, from: run[0], to: run[run.length - 1], months: run.length, units: GAP_UNITS });
    else out.push(...run.map((month) => ({ gap: false, from: month, to: month, units: 1 })));
    run = [];
  };
  for (const month of months) {
    if (byMonth.has(month)) { flush(); out.push({ gap: false, from: month, to: month, units: 1 }); }
    else run.push(month);
  }
  flush();
  return out;
}

function gapText(slot) {
  const years = Math.floor(slot.months / 12);
  return years >= 2 ? `${years} years` : `${slot.months} months`;
}
