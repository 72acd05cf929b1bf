// The incidents map: country outlines from world-atlas (Natural Earth 1:50m, TopoJSON) projected by d3-geo into
// SVG, and incidents as points, sized by the killed as stated and coloured by incident type. No tile server and
// nothing from another origin: analysts often work offline, and a map that needs the network would be blank there.
//
// The outlines are projected once; zooming and panning move them with one SVG transform (strokes keep their
// width), while points and labels are placed in screen pixels so they keep their size at every zoom.

const SVG = "http://www.w3.org/2000/svg";
const FIT_ZOOM = 16;        // the closest "fit to incidents" goes: one point alone still shows its region
const MIN_ZOOM = 0.8;
const MAX_ZOOM = 400;
const MARGIN = 44;          // room for the largest point and its label at the edge of a fitted view
const LABELLED_POINTS = 60; // above this, place names would only be clutter
// Points placed only at a province or a country are drawn apart: their coordinates stand for an area.
const APPROXIMATE = new Set(["province", "country"]);

function svg(tag, attributes = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) element.setAttribute(name, String(value));
  }
  if (text !== undefined) element.textContent = text;
  return element;
}

/** The figure a point is sized by: the lowest stated ("more than 50" is a minimum), else the highest; null when
 * no figure is stated (which is not the same as none killed). */
export function killedFigure(properties) {
  if (properties.killed_min !== null && properties.killed_min !== undefined) return properties.killed_min;
  if (properties.killed_max !== null && properties.killed_max !== undefined) return properties.killed_max;
  return null;
}

/** A point's radius in pixels: its area grows with the killed, so 100 dead is not drawn ten times as wide as 10. */
export function radius(figure) {
  if (figure === null) return 6;
  return Math.min(4 + 2.2 * Math.sqrt(figure), 36);
}

/** A range as words: min only is "at least", max only "at most". */
export function countText(min, max) {
  const has = (value) => value !== null && value !== undefined;
  if (has(min) && has(max)) return min === max ? String(min) : `${min}–${max}`;
  if (has(min)) return `at least ${min}`;
  if (has(max)) return `at most ${max}`;
  return "not stated";
}

/** The month an incident is counted in on the timeline, or null when it is dated only to the year (or undated). */
export function monthOf(date) {
  return date && date.length >= 7 ? date.slice(0, 7) : null;
}

export class IncidentMap {
  /**
   * @param {SVGSVGElement} root  the <svg> to draw in
   * @param {object} options  d3 and topojson (the UMD globals), world (world-atlas TopoJSON), colours by incident
   *   type (the ontology's), tooltip (a <div> over the map), and callbacks onHover(feature|null), onSelect(feature)
   */
  constructor(root, { d3, topojson, world, colours, tooltip, onHover, onSelect }) {
    Object.assign(this, { root, d3, topojson, colours, tooltip, onHover, onSelect });
    this.countries = topojson.feature(world, world.objects.countries);
    this.borders = topojson.mesh(world, world.objects.countries, (a, b) => a !== b);
    this.features = [];
    this.transform = { k: 1, x: 0, y: 0 };
    this.selected = null;
    this.hotMonth = null;
    this.hotId = null;
    this.build();
    this.resize();
    this.wire();
    new ResizeObserver(() => this.resize()).observe(root);
  }

  build() {
    const root = this.root;
    root.replaceChildren();
    this.base = svg("g", { class: "base" });
    this.sphere = svg("path", { class: "sphere" });
    this.graticule = svg("path", { class: "graticule" });
    this.land = svg("path", { class: "land" });
    this.borderPath = svg("path", { class: "borders" });
    this.base.append(this.sphere, this.graticule, this.land, this.borderPath);
    this.countryLabels = svg("g", { class: "country-labels", "aria-hidden": "true" });
    this.points = svg("g", { class: "points" });
    this.pointLabels = svg("g", { class: "point-labels", "aria-hidden": "true" });
    root.append(this.base, this.countryLabels, this.points, this.pointLabels);
  }

  /** Project the world to fit the map's current size, keeping the view on the same place. */
  resize() {
    const width = this.root.clientWidth || 600;
    const height = this.root.clientHeight || 300;
    if (width === this.width && height === this.height) return;
    const centre = this.width ? this.invert([this.width / 2, this.height / 2]) : null;
    this.width = width;
    this.height = height;
    const { d3 } = this;
    this.projection = d3.geoNaturalEarth1().fitExtent([[4, 4], [width - 4, height - 4]], { type: "Sphere" });
    const path = d3.geoPath(this.projection);
    this.sphere.setAttribute("d", path({ type: "Sphere" }));
    this.graticule.setAttribute("d", path(d3.geoGraticule10()));
    this.land.setAttribute("d", path(this.countries));
    this.borderPath.setAttribute("d", path(this.borders));
    // Each country's label sits on its largest polygon (France's on France, not between it and Guiana).
    this.names = this.countries.features.map((country) => {
      const largest = largestPart(country, path);
      return { name: country.properties.name, at: path.centroid(largest), area: path.area(largest) };
    }).filter((country) => country.name && Number.isFinite(country.at[0])).sort((a, b) => b.area - a.area);
    for (const feature of this.features) feature.xy = this.projection(feature.geometry.coordinates);
    if (centre) {
      const [x, y] = this.projection(centre);
      this.transform.x = width / 2 - this.transform.k * x;
      this.transform.y = height / 2 - this.transform.k * y;
    }
    this.update();
  }

  /** Longitude and latitude under a screen pixel. */
  invert([sx, sy]) {
    const { k, x, y } = this.transform;
    return this.projection.invert([(sx - x) / k, (sy - y) / k]);
  }

  /** Replace the points (GeoJSON features as /v1/incidents?format=geojson gives them) and frame them. */
  setIncidents(features) {
    this.features = features.map((feature) => ({ ...feature, xy: this.projection(feature.geometry.coordinates) }));
    // The largest first, so a small point is never hidden under a large one.
    this.features.sort((a, b) => radius(killedFigure(b.properties)) - radius(killedFigure(a.properties)));
    this.points.replaceChildren(...this.features.map((feature) => this.point(feature)));
    this.fit();
  }

  point(feature) {
    const p = feature.properties;
    const figure = killedFigure(p);
    const colour = this.colours[p.type] || "#8D9096";
    const r = radius(figure);
    const killed = countText(p.killed_min, p.killed_max);
    const where = [p.place, p.country && p.country !== p.place ? p.country : null].filter(Boolean).join(", ");
    const label = `${p.type_label}, ${where || "unnamed place"}, ${p.date || "undated"}, killed: ${killed}`;
    const group = svg("g", {
      class: `point${figure === null ? " unknown" : ""}${APPROXIMATE.has(p.precision) ? " approximate" : ""}`,
      tabindex: 0, role: "button", "aria-label": label, "data-id": p.id, "data-type": p.type,
      "data-month": monthOf(p.date) || "", "data-killed": figure === null ? "" : figure,
    });
    if (APPROXIMATE.has(p.precision)) group.append(svg("circle", { class: "halo", r: r + 3.5 }));
    group.append(svg("circle", { class: "dot", r, fill: figure === null ? "#ffffff" : colour, stroke: colour }));
    group.append(svg("title", {}, label));
    feature.element = group;
    const enter = () => { this.hover(feature); this.onHover(feature); };
    const leave = () => { this.hover(null); this.onHover(null); };
    group.addEventListener("pointerenter", enter);
    group.addEventListener("pointerleave", leave);
    group.addEventListener("focus", enter);
    group.addEventListener("blur", leave);
    group.addEventListener("click", (event) => {
      if (this.dragged) return;
      event.stopPropagation();
      this.onSelect(feature);
    });
    group.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        event.stopPropagation();
        this.onSelect(feature);
      }
    });
    return group;
  }

  /** Frame every point (the whole world when there is none), no closer than FIT_ZOOM. */
  fit() {
    if (!this.features.length) { this.world(); return; }
    const xs = this.features.map((f) => f.xy[0]);
    const ys = this.features.map((f) => f.xy[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const k = Math.max(1, Math.min(FIT_ZOOM,
      (this.width - 2 * MARGIN) / Math.max(x1 - x0, 1e-6), (this.height - 2 * MARGIN) / Math.max(y1 - y0, 1e-6)));
    this.transform = { k, x: this.width / 2 - k * (x0 + x1) / 2, y: this.height / 2 - k * (y0 + y1) / 2 };
    this.update();
  }

  world() {
    this.transform = { k: 1, x: 0, y: 0 };
    this.update();
  }

  /** Zoom by `factor` about a screen point (the centre by default), which stays where it is. */
  zoomBy(factor, at = [this.width / 2, this.height / 2]) {
    const { k, x, y } = this.transform;
    const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k * factor));
    this.transform = { k: next, x: at[0] - (at[0] - x) * (next / k), y: at[1] - (at[1] - y) * (next / k) };
    this.update();
  }

  panBy(dx, dy) {
    this.transform.x += dx;
    this.transform.y += dy;
    this.update();
  }

  /** Centre the view on one incident (zooming in if the view is wider than a region). */
  centreOn(id) {
    const feature = this.features.find((f) => f.properties.id === id);
    if (!feature) return;
    const k = Math.max(this.transform.k, 6);
    this.transform = { k, x: this.width / 2 - k * feature.xy[0], y: this.height / 2 - k * feature.xy[1] };
    this.update();
  }

  screen(xy) {
    const { k, x, y } = this.transform;
    return [k * xy[0] + x, k * xy[1] + y];
  }

  /** Move outlines, points and labels to the current transform. */
  update() {
    const { k, x, y } = this.transform;
    this.base.setAttribute("transform", `translate(${x},${y}) scale(${k})`);
    const placed = [];
    const free = (box) => placed.every((other) => box[2] < other[0] || box[0] > other[2] || box[3] < other[1] || box[1] > other[3]);
    // Point labels first (they say more than country names), the largest points first.
    const pointLabels = [];
    for (const feature of this.features) {
      const [sx, sy] = this.screen(feature.xy);
      feature.element.setAttribute("transform", `translate(${sx.toFixed(1)},${sy.toFixed(1)})`);
      placed.push([sx - 3, sy - 3, sx + 3, sy + 3]);
    }
    if (this.features.length <= LABELLED_POINTS) {
      for (const feature of this.features) {
        const name = feature.properties.place;
        if (!name) continue;
        const [sx, sy] = this.screen(feature.xy);
        const r = radius(killedFigure(feature.properties));
        const box = [sx + r + 2, sy - 7, sx + r + 4 + name.length * 6.2, sy + 6];
        if (box[2] > this.width || !free(box)) continue;
        placed.push(box);
        pointLabels.push(svg("text", { x: box[0] + 1, y: sy + 4, "data-id": feature.properties.id }, name));
      }
    }
    this.pointLabels.replaceChildren(...pointLabels);
    const countryLabels = [];
    for (const country of this.names) {
      if (country.area * k * k < 1600 || countryLabels.length >= 40) continue;
      const [sx, sy] = this.screen(country.at);
      const half = country.name.length * 3;
      const box = [sx - half, sy - 6, sx + half, sy + 6];
      if (box[0] < 0 || box[2] > this.width || box[1] < 0 || box[3] > this.height || !free(box)) continue;
      placed.push(box);
      countryLabels.push(svg("text", { x: sx, y: sy + 4, "text-anchor": "middle" }, country.name));
    }
    this.countryLabels.replaceChildren(...countryLabels);
  }

  /** Mark one incident as selected (null: none). */
  select(id) {
    this.selected = id;
    for (const feature of this.features) {
      const on = feature.properties.id === id;
      feature.element.classList.toggle("selected", on);
      if (on) feature.element.parentNode.append(feature.element); // drawn last, so on top
    }
  }

  /** Light up the points of one month (the timeline's bar under the pointer), or none. */
  highlightMonth(month) {
    this.hotMonth = month;
    for (const feature of this.features) {
      feature.element.classList.toggle("hot", Boolean(month) && monthOf(feature.properties.date) === month);
    }
  }

  /** Show the tooltip for a point under the pointer or the keyboard's focus (null hides it). */
  hover(feature) {
    const tip = this.tooltip;
    if (!feature) { tip.hidden = true; return; }
    const p = feature.properties;
    const lines = [
      [p.place, p.admin1 && p.admin1 !== p.place ? p.admin1 : null, p.country && p.country !== p.place ? p.country : null]
        .filter(Boolean).join(", ") + (p.precision ? ` (${p.precision})` : ""),
      p.date ? `${p.date}${p.end_date ? ` to ${p.end_date}` : ""}` : "undated",
      `killed: ${countText(p.killed_min, p.killed_max)}; injured: ${countText(p.injured_min, p.injured_max)}`,
      p.perpetrators.length ? `by ${p.perpetrators.join(", ")} (by some account)` : "perpetrator not named",
      `${p.corroboration} report(s); click for the quotes`,
    ];
    const title = document.createElement("strong");
    title.textContent = p.type_label;
    tip.replaceChildren(title, ...lines.map((line) => { const div = document.createElement("div"); div.textContent = line; return div; }));
    const [sx, sy] = this.screen(feature.xy);
    tip.hidden = false;
    const left = Math.min(sx + 14, this.width - tip.offsetWidth - 4);
    const top = sy + 14 + tip.offsetHeight > this.height ? sy - tip.offsetHeight - 10 : sy + 14;
    tip.style.left = `${Math.max(left, 4)}px`;
    tip.style.top = `${Math.max(top, 4)}px`;
  }

  /** Drag to pan, wheel to zoom about the pointer; on the keyboard, arrows pan, + and − zoom, 0 fits. */
  wire() {
    const root = this.root;
    root.addEventListener("wheel", (event) => {
      event.preventDefault();
      const box = root.getBoundingClientRect();
      this.zoomBy(Math.pow(1.0015, -event.deltaY), [event.clientX - box.left, event.clientY - box.top]);
    }, { passive: false });
    root.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      const start = { x: event.clientX, y: event.clientY };
      let last = start;
      this.dragged = false;
      const move = (moved) => {
        if (!this.dragged && Math.hypot(moved.clientX - start.x, moved.clientY - start.y) < 4) return;
        this.dragged = true;
        root.classList.add("dragging");
        this.panBy(moved.clientX - last.x, moved.clientY - last.y);
        last = { x: moved.clientX, y: moved.clientY };
      };
      const up = () => {
        window.removeEventListener("pointermove", move);
        window.removeEventListener("pointerup", up);
        root.classList.remove("dragging");
        // The click that ends a drag must not select the point it ends on.
        setTimeout(() => { this.dragged = false; }, 0);
      };
      window.addEventListener("pointermove", move);
      window.addEventListener("pointerup", up);
    });
    root.addEventListener("keydown", (event) => {
      const step = 60;
      const actions = {
        ArrowLeft: () => this.panBy(step, 0), ArrowRight: () => this.panBy(-step, 0),
        ArrowUp: () => this.panBy(0, step), ArrowDown: () => this.panBy(0, -step),
        "+": () => this.zoomBy(1.5), "=": () => this.zoomBy(1.5), "-": () => this.zoomBy(1 / 1.5),
        0: () => this.fit(),
      };
      const action = actions[event.key];
      if (action) { event.preventDefault(); action(); }
    });
  }
}

/** A country's largest polygon, as a feature of its own (the whole feature when it is one polygon). */
function largestPart(country, path) {
  if (country.geometry?.type !== "MultiPolygon") return country;
  let best = null;
  let bestArea = -1;
  for (const coordinates of country.geometry.coordinates) {
    const part = { type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates } };
    const area = path.area(part);
    if (area > bestArea) { best = part; bestArea = area; }
  }
  return best;
}
