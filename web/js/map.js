// The board's map panel: technicians' live positions and the day's appointments on a Web Mercator
// map drawn in SVG, with tiles from the company's tile server when one is set (GET
// /dispatch/settings) and a plain background with a grid and a scale otherwise, so it works with no
// network beyond the API. Pan by dragging or with the arrow keys, zoom with the wheel or + and -.
// Draw an area (a polygon, or a rectangle) and assign every unassigned appointment inside it to a
// technician (POST /dispatch/board/assign-area); the form beside the map does the same from the
// keyboard for everything in view.
//
// The board hands over what it shows with a "board:entries" event on document after each redraw
// (see web/js/board.js); in the week view the map shows the first day, the one areas assign on.
import { announce, api, clock, label, windowText } from "./api.js";
import { refreshBoard } from "./board.js";
import { boardDay, isCanceled, isOnHold, isUnassigned, technicianIds } from "./feed.js";

const TILE = 256;
const MIN_ZOOM = 2;
const MAX_ZOOM = 18;
const FIT_MAX_ZOOM = 15;
const MAX_LAT = 85.05112878;
const EARTH_CIRCUMFERENCE_M = 40075016.686;
const POSITIONS_MS = 10000;
const PAN_STEP = 80;
const NEAR_PX = 8;
const DOUBLE_CLICK_MS = 500;
const SVG = "http://www.w3.org/2000/svg";
const GRID_STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30];
const DEFAULT_VIEW = { lat: 39.8, lon: -98.6, zoom: 4 };

// -- Web Mercator: world pixels at a zoom level ------------------------------------------------------

function worldSize(zoom) {
  return TILE * 2 ** zoom;
}

function project(lat, lon, zoom) {
  const size = worldSize(zoom);
  const sin = Math.sin((Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180);
  return {
    x: ((lon + 180) / 360) * size,
    y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * size,
  };
}

function unproject(x, y, zoom) {
  const size = worldSize(zoom);
  const n = Math.PI - (2 * Math.PI * y) / size;
  return { lat: (180 / Math.PI) * Math.atan(Math.sinh(n)), lon: (x / size) * 360 - 180 };
}

/** Ray casting in lat/lon, as the server's polygon does. */
function insidePolygon(points, lat, lon) {
  let inside = false;
  let previous = points[points.length - 1];
  for (const vertex of points) {
    if ((vertex.lat > lat) !== (previous.lat > lat)) {
      const lonAt = vertex.lon + ((lat - vertex.lat) * (previous.lon - vertex.lon)) / (previous.lat - vertex.lat);
      if (lon < lonAt) inside = !inside;
    }
    previous = vertex;
  }
  return inside;
}

function insideShape(shape, lat, lon) {
  if (shape.type === "polygon") return insidePolygon(shape.points, lat, lon);
  const { south_west: sw, north_east: ne } = shape;
  return sw.lat <= lat && lat <= ne.lat && sw.lon <= lon && lon <= ne.lon;
}

function clampLat(lat) {
  return Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
}

function clampLon(lon) {
  return Math.max(-180, Math.min(180, lon));
}

function niceDistance(metres) {
  const power = 10 ** Math.floor(Math.log10(metres));
  const step = [5, 2, 1].find((s) => s * power <= metres) ?? 1;
  return step * power;
}

function distanceText(metres) {
  return metres >= 1000 ? `${metres / 1000} km` : `${metres} m`;
}

function svg(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

function html(name, attributes = {}, text = "") {
  const element = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text) element.textContent = text;
  return element;
}

function initials(name) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join("");
}

function located(appointment) {
  const { lat, lon } = appointment.location ?? {};
  return typeof lat === "number" && typeof lon === "number";
}

function stateOf(appointment) {
  if (isOnHold(appointment)) return "on_hold";
  return isUnassigned(appointment) ? "unassigned" : "assigned";
}

// -- the panel ----------------------------------------------------------------------------------------

class MapPanel {
  constructor(panel, toggle) {
    this.panel = panel;
    this.toggle = toggle;
    this.entries = null; // the board's currentEntries()
    this.view = { ...DEFAULT_VIEW };
    this.moved = false;
    this.positions = [];
    this.positionsTimer = null;
    this.positionsRound = 0;
    this.settings = null;
    this.mode = null; // "polygon" | "rectangle" while drawing
    this.sketch = []; // the polygon's points (lat/lon) while drawing
    this.lastCorner = 0; // when the last one was added (event time)
    this.area = null; // the drawn shape, as the API takes it
    this.drag = null;
    this.tiles = new Map();
    this.fitted = false;
    this.frame = { width: 0, height: 0 };
    this.technicianKey = "";
    this.listKey = "";
    this.busy = false;
    this.build();
    toggle.addEventListener("click", () => this.setOpen(panel.hidden));
    document.addEventListener("board:entries", (event) => {
      if (event.detail.days[0] !== this.day()) this.fitted = false; // another day: show all of it
      this.entries = event.detail;
      if (!this.panel.hidden) this.render();
    });
    window.addEventListener("resize", () => this.panel.hidden || this.render());
  }

  build() {
    this.panel.replaceChildren();
    const heading = html("h2", { id: "map-title" }, "Map");
    const tools = html("div", { class: "map-tools", role: "toolbar", "aria-label": "Map tools" });
    this.buttons = {
      zoomIn: html("button", { type: "button", "aria-label": "Zoom in" }, "+"),
      zoomOut: html("button", { type: "button", "aria-label": "Zoom out" }, "−"),
      fit: html("button", { type: "button" }, "Show all"),
      polygon: html("button", { type: "button", "aria-pressed": "false" }, "Draw area"),
      rectangle: html("button", { type: "button", "aria-pressed": "false" }, "Draw rectangle"),
      clear: html("button", { type: "button", disabled: "" }, "Clear area"),
    };
    tools.append(...Object.values(this.buttons));
    this.buttons.zoomIn.addEventListener("click", () => this.zoomBy(1));
    this.buttons.zoomOut.addEventListener("click", () => this.zoomBy(-1));
    this.buttons.fit.addEventListener("click", () => this.fit());
    this.buttons.polygon.addEventListener("click", () => this.startDrawing("polygon"));
    this.buttons.rectangle.addEventListener("click", () => this.startDrawing("rectangle"));
    this.buttons.clear.addEventListener("click", () => this.setArea(null));

    const help = html("p", { id: "map-help", class: "map-help" },
      "Drag or use the arrow keys to pan, the wheel or + and − to zoom. Draw area: click each corner, " +
      "then double-click, click the first corner or press Enter; Escape stops drawing.");
    this.viewport = html("div", {
      class: "map-view",
      tabindex: "0",
      role: "group",
      "aria-roledescription": "map",
      "aria-label": "Map of technicians and appointments",
      "aria-describedby": "map-help",
    });
    this.svg = svg("svg", { class: "map-svg", xmlns: SVG });
    this.layers = {};
    for (const name of ["grid", "tiles", "area", "appointments", "technicians", "scale"]) {
      this.layers[name] = svg("g", { class: `map-${name}` });
      this.svg.append(this.layers[name]);
    }
    this.layers.grid.setAttribute("aria-hidden", "true");
    this.layers.tiles.setAttribute("aria-hidden", "true");
    this.layers.scale.setAttribute("aria-hidden", "true");
    this.attribution = html("p", { class: "map-attribution" });
    this.scaleText = html("p", { class: "visually-hidden map-scale-text" });
    this.viewport.append(this.svg, this.attribution, this.scaleText);

    const legend = html("ul", { class: "map-legend", "aria-label": "Legend" });
    for (const [kind, text] of [["technician", "Technician"], ["assigned", "Assigned appointment"],
      ["unassigned", "Unassigned appointment"], ["on_hold", "On hold"]]) {
      const item = html("li", { "data-kind": kind });
      item.append(html("span", { class: "map-key", "aria-hidden": "true" }), text);
      legend.append(item);
    }
    this.notice = html("p", { class: "map-notice", role: "status", "aria-live": "polite" });

    const map = html("div", { class: "map-main" });
    map.append(tools, this.viewport, help, legend, this.notice);
    this.panel.append(heading, html("div", { class: "map-layout" }));
    this.panel.lastElementChild.append(map, this.buildForm());
    this.listen();
  }

  buildForm() {
    const form = html("form", { class: "map-assign", "aria-labelledby": "map-assign-title" });
    form.append(html("h3", { id: "map-assign-title" }, "Assign an area"));
    const area = html("fieldset");
    area.append(html("legend", {}, "Area"));
    this.radios = {};
    for (const [value, text] of [["drawn", "The drawn area"], ["view", "Everything in view"]]) {
      const input = html("input", { type: "radio", name: "map-area", value });
      const labelled = html("label");
      labelled.append(input, ` ${text}`);
      area.append(labelled);
      this.radios[value] = input;
      input.addEventListener("change", () => this.renderSelection());
    }
    this.radios.drawn.disabled = true;
    this.radios.view.checked = true;
    this.count = html("p", { class: "map-count", "aria-live": "polite" });
    this.list = html("ul", { class: "map-list", "aria-label": "Appointments in the area" });
    const techLabel = html("label", { for: "map-technician" }, "Technician");
    this.technician = html("select", { id: "map-technician", required: "" });
    const force = html("label");
    this.force = html("input", { type: "checkbox" });
    force.append(this.force, " Allow overlapping appointments");
    const submit = html("button", { type: "submit" }, "Assign");
    this.results = html("div", { class: "map-results", role: "status", "aria-live": "polite" });
    form.append(area, this.count, this.list, techLabel, this.technician, force, submit, this.results);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.assign();
    });
    return form;
  }

  listen() {
    const view = this.viewport;
    view.addEventListener("wheel", (event) => {
      event.preventDefault();
      this.zoomBy(event.deltaY < 0 ? 1 : -1, this.pointer(event));
    }, { passive: false });
    view.addEventListener("pointerdown", (event) => this.pointerDown(event));
    view.addEventListener("pointermove", (event) => this.pointerMove(event));
    view.addEventListener("pointerup", (event) => this.pointerUp(event));
    view.addEventListener("pointercancel", () => {
      this.drag = null;
      this.renderSketch();
    });
    view.addEventListener("keydown", (event) => this.key(event));
  }

  setOpen(open) {
    this.panel.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
    clearTimeout(this.positionsTimer);
    if (!open) return;
    if (this.settings === null) this.loadSettings();
    this.loadPositions();
    this.render();
  }

  async loadSettings() {
    try {
      this.settings = await api("GET", "/dispatch/settings");
    } catch (error) {
      this.settings = {};
      this.note(`Map tiles unavailable (${error.message}): the map is drawn without them.`);
    }
    this.render();
  }

  /** Read the positions now and every POSITIONS_MS while the panel is open (one round at a time:
   * opening the panel again while a read is under way starts a new round and ends the old one). */
  async loadPositions() {
    clearTimeout(this.positionsTimer);
    const round = ++this.positionsRound;
    try {
      this.positions = (await api("GET", "/tracking/positions")).positions;
    } catch (error) {
      this.note(`Technician positions unavailable: ${error.message}`);
    }
    if (this.panel.hidden || round !== this.positionsRound) return;
    this.render();
    this.positionsTimer = setTimeout(() => this.loadPositions(), POSITIONS_MS);
  }

  note(text) {
    announce(this.notice, text, true);
  }

  // -- geometry of the view --------------------------------------------------------------------------

  /** The viewport's size as last measured: reading it from the DOM forces a layout of the whole
   * page (400 cards on a busy day), so it is read once per render, not once per marker. */
  size() {
    return this.frame;
  }

  measure() {
    this.frame = { width: this.viewport.clientWidth, height: this.viewport.clientHeight };
    return this.frame;
  }

  origin() {
    const { width, height } = this.size();
    const center = project(this.view.lat, this.view.lon, this.view.zoom);
    return { x: center.x - width / 2, y: center.y - height / 2 };
  }

  toScreen(lat, lon) {
    const origin = this.origin();
    const world = project(lat, lon, this.view.zoom);
    return { x: world.x - origin.x, y: world.y - origin.y };
  }

  toLatLon(x, y) {
    const origin = this.origin();
    const point = unproject(origin.x + x, origin.y + y, this.view.zoom);
    return { lat: clampLat(point.lat), lon: clampLon(point.lon) };
  }

  pointer(event) {
    const box = this.svg.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  panBy(dx, dy) {
    const { width, height } = this.size();
    this.view = { ...this.view, ...this.toLatLon(width / 2 + dx, height / 2 + dy) };
    this.moved = true;
    this.render();
  }

  /** Zoom one level in or out, keeping the point under ``at`` (default: the centre) in place. */
  zoomBy(levels, at) {
    const zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, this.view.zoom + levels));
    if (zoom === this.view.zoom) return;
    const { width, height } = this.size();
    const anchor = at ?? { x: width / 2, y: height / 2 };
    const fixed = this.toLatLon(anchor.x, anchor.y);
    const world = project(fixed.lat, fixed.lon, zoom);
    const center = unproject(world.x - anchor.x + width / 2, world.y - anchor.y + height / 2, zoom);
    this.view = { lat: clampLat(center.lat), lon: clampLon(center.lon), zoom };
    this.moved = true;
    this.render();
  }

  /** The view that shows every marker (the default view when there is none). */
  fit() {
    const points = [
      ...this.appointments().map((a) => a.location),
      ...this.positions.map((p) => ({ lat: p.lat, lon: p.lon })),
    ];
    const { width, height } = this.size();
    if (!points.length || !width) {
      this.view = { ...DEFAULT_VIEW };
    } else {
      const lats = points.map((p) => p.lat);
      const lons = points.map((p) => p.lon);
      const south = Math.min(...lats);
      const north = Math.max(...lats);
      const west = Math.min(...lons);
      const east = Math.max(...lons);
      let zoom = FIT_MAX_ZOOM;
      while (zoom > MIN_ZOOM) {
        const a = project(north, west, zoom);
        const b = project(south, east, zoom);
        if (b.x - a.x <= width - 80 && b.y - a.y <= height - 80) break;
        zoom -= 1;
      }
      const a = project(north, west, zoom);
      const b = project(south, east, zoom);
      this.view = { ...unproject((a.x + b.x) / 2, (a.y + b.y) / 2, zoom), zoom };
    }
    this.moved = false;
    this.render();
  }

  viewShape() {
    const { width, height } = this.size();
    const nw = this.toLatLon(0, 0);
    const se = this.toLatLon(width, height);
    return {
      type: "rectangle",
      south_west: { lat: se.lat, lon: nw.lon },
      north_east: { lat: nw.lat, lon: se.lon },
    };
  }

  // -- drawing ---------------------------------------------------------------------------------------

  startDrawing(mode) {
    const stop = this.mode === mode;
    this.mode = stop ? null : mode;
    this.sketch = [];
    this.buttons.polygon.setAttribute("aria-pressed", String(this.mode === "polygon"));
    this.buttons.rectangle.setAttribute("aria-pressed", String(this.mode === "rectangle"));
    this.viewport.classList.toggle("drawing", this.mode !== null);
    if (this.mode) this.viewport.focus();
    this.render();
  }

  setArea(shape) {
    this.area = shape;
    this.buttons.clear.disabled = shape === null;
    this.radios.drawn.disabled = shape === null;
    this.radios.drawn.checked = shape !== null;
    this.radios.view.checked = shape === null;
    if (this.mode) this.startDrawing(this.mode);
    this.render();
  }

  closePolygon() {
    const points = this.sketch.slice();
    if (points.length < 3) {
      this.note("An area needs at least three corners.");
      return;
    }
    this.setArea({ type: "polygon", points });
  }

  pointerDown(event) {
    if (event.button !== 0) return;
    const at = this.pointer(event);
    this.viewport.setPointerCapture?.(event.pointerId);
    this.drag = { start: at, last: at, moved: false };
  }

  pointerMove(event) {
    if (!this.drag) return;
    const at = this.pointer(event);
    const { start, last } = this.drag;
    if (Math.hypot(at.x - start.x, at.y - start.y) > 3) this.drag.moved = true;
    if (this.mode === "rectangle") {
      this.drag.last = at;
      this.renderSketch();
    } else if (this.mode === null && this.drag.moved) {
      this.drag.last = at;
      this.panBy(last.x - at.x, last.y - at.y);
    }
  }

  pointerUp(event) {
    const drag = this.drag;
    this.drag = null;
    if (!drag) return;
    const at = this.pointer(event);
    if (this.mode === "rectangle" && drag.moved) {
      const a = this.toLatLon(drag.start.x, drag.start.y);
      const b = this.toLatLon(at.x, at.y);
      this.setArea({
        type: "rectangle",
        south_west: { lat: Math.min(a.lat, b.lat), lon: Math.min(a.lon, b.lon) },
        north_east: { lat: Math.max(a.lat, b.lat), lon: Math.max(a.lon, b.lon) },
      });
    } else if (this.mode === "polygon" && !drag.moved) {
      // A click on the first corner, or a second click on the last one (a double-click), closes it.
      const near = (point) => {
        const p = point && this.toScreen(point.lat, point.lon);
        return p && Math.hypot(p.x - at.x, p.y - at.y) <= NEAR_PX;
      };
      const doubled = near(this.sketch.at(-1)) && event.timeStamp - this.lastCorner < DOUBLE_CLICK_MS;
      if (this.sketch.length >= 3 && (near(this.sketch[0]) || doubled)) {
        this.closePolygon();
        return;
      }
      if (!doubled) this.sketch.push(this.toLatLon(at.x, at.y));
      this.lastCorner = event.timeStamp;
      this.renderSketch();
    }
  }

  key(event) {
    const moves = { ArrowLeft: [-PAN_STEP, 0], ArrowRight: [PAN_STEP, 0], ArrowUp: [0, -PAN_STEP], ArrowDown: [0, PAN_STEP] };
    if (moves[event.key]) {
      this.panBy(...moves[event.key]);
    } else if (event.key === "+" || event.key === "=") {
      this.zoomBy(1);
    } else if (event.key === "-" || event.key === "_") {
      this.zoomBy(-1);
    } else if (event.key === "Enter" && this.mode === "polygon") {
      this.closePolygon();
    } else if (event.key === "Escape" && this.mode) {
      this.startDrawing(this.mode);
    } else {
      return;
    }
    event.preventDefault();
  }

  // -- what is shown ---------------------------------------------------------------------------------

  day() {
    return this.entries?.days[0];
  }

  appointments() {
    return (this.entries?.appointments ?? []).filter(
      (a) => !isCanceled(a) && located(a) && boardDay(a) === this.day(),
    );
  }

  technicianName(id) {
    return this.entries?.technicians.find((t) => t.technician_id === id)?.name ?? id;
  }

  describe(appointment) {
    const state = stateOf(appointment);
    const who = state === "assigned"
      ? `assigned to ${technicianIds(appointment).map((id) => this.technicianName(id)).join(", ")}`
      : label(state).toLowerCase();
    const parts = [appointment.customer.name, appointment.job_type, who, `arrive ${windowText(appointment.arrival_window)}`];
    if (appointment.location.street) parts.push(appointment.location.street);
    return parts.join(", ");
  }

  render() {
    if (this.panel.hidden) return;
    const { width, height } = this.measure();
    if (!width || !height) return;
    if (!this.moved && (this.appointments().length || this.positions.length) && !this.fitted) {
      this.fitted = true;
      this.fit();
      return;
    }
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.svg.setAttribute("width", width);
    this.svg.setAttribute("height", height);
    this.renderGrid(width, height);
    this.renderTiles(width, height);
    this.renderScale(height);
    this.renderAppointments();
    this.renderTechnicians();
    this.renderSketch();
    this.renderTechnicianChoices();
    this.renderSelection();
  }

  renderGrid(width, height) {
    const zoom = this.view.zoom;
    const degreePx = worldSize(zoom) / 360;
    const step = GRID_STEPS.find((s) => s * degreePx >= 90) ?? 30;
    const nw = this.toLatLon(0, 0);
    const se = this.toLatLon(width, height);
    const lines = [];
    const decimals = Math.max(0, -Math.floor(Math.log10(step)));
    for (let lon = Math.ceil(nw.lon / step) * step; lon <= se.lon; lon += step) {
      const x = this.toScreen(0, lon).x;
      lines.push(svg("line", { x1: x, y1: 0, x2: x, y2: height }));
      const text = svg("text", { x: x + 3, y: 12 });
      text.textContent = `${lon.toFixed(decimals)}°`;
      lines.push(text);
    }
    for (let lat = Math.ceil(se.lat / step) * step; lat <= nw.lat; lat += step) {
      const y = this.toScreen(lat, 0).y;
      lines.push(svg("line", { x1: 0, y1: y, x2: width, y2: y }));
      const text = svg("text", { x: 3, y: y - 3 });
      text.textContent = `${lat.toFixed(decimals)}°`;
      lines.push(text);
    }
    this.layers.grid.replaceChildren(svg("rect", { width, height, class: "map-ground" }), ...lines);
  }

  renderTiles(width, height) {
    const template = this.settings?.tile_url_template;
    this.attribution.textContent = template ? (this.settings.tile_attribution ?? "") : "";
    if (!template) {
      this.layers.tiles.replaceChildren();
      this.tiles.clear();
      return;
    }
    const zoom = this.view.zoom;
    const count = 2 ** zoom;
    const origin = this.origin();
    const wanted = new Map();
    for (let tx = Math.floor(origin.x / TILE); tx * TILE < origin.x + width; tx += 1) {
      for (let ty = Math.max(0, Math.floor(origin.y / TILE)); ty * TILE < origin.y + height && ty < count; ty += 1) {
        const x = ((tx % count) + count) % count;
        const url = template.replaceAll("{z}", zoom).replaceAll("{x}", x).replaceAll("{y}", ty);
        const key = `${zoom}/${tx}/${ty}`;
        let image = this.tiles.get(key);
        if (!image) {
          image = svg("image", { width: TILE, height: TILE, href: url, preserveAspectRatio: "none" });
          image.addEventListener("error", () => image.classList.add("missing"), { once: true });
        }
        image.setAttribute("x", tx * TILE - origin.x);
        image.setAttribute("y", ty * TILE - origin.y);
        wanted.set(key, image);
      }
    }
    this.tiles = wanted;
    this.layers.tiles.replaceChildren(...wanted.values());
  }

  renderScale(height) {
    const metresPerPx = (EARTH_CIRCUMFERENCE_M * Math.cos((this.view.lat * Math.PI) / 180)) / worldSize(this.view.zoom);
    const metres = niceDistance(metresPerPx * 120);
    const length = metres / metresPerPx;
    const y = height - 14;
    const text = svg("text", { x: 12, y: y - 6 });
    text.textContent = distanceText(metres);
    this.layers.scale.replaceChildren(
      svg("path", { d: `M12 ${y - 5} V${y} H${12 + length} V${y - 5}`, class: "map-scale-bar" }),
      text,
    );
    this.scaleText.textContent = `Scale: ${Math.round(length)} pixels are ${distanceText(metres)}.`;
  }

  renderAppointments() {
    const markers = this.appointments().map((appointment) => {
      const { x, y } = this.toScreen(appointment.location.lat, appointment.location.lon);
      const state = stateOf(appointment);
      const text = this.describe(appointment);
      const marker = svg("g", {
        class: `map-appointment map-${state}`,
        transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`,
        role: "img",
        "aria-label": text,
        "data-appointment-id": appointment.appointment_id,
        "data-state": state,
      });
      const title = svg("title");
      title.textContent = text;
      const shape = state === "assigned"
        ? svg("circle", { r: 8 })
        : svg("path", { d: "M0 -10 L10 0 L0 10 L-10 0 Z" });
      marker.append(title, shape);
      if (state === "assigned") {
        const mark = svg("text", { y: 3.5, "text-anchor": "middle" });
        mark.textContent = initials(this.technicianName(technicianIds(appointment)[0]));
        marker.append(mark);
      } else {
        const mark = svg("text", { y: 4, "text-anchor": "middle" });
        mark.textContent = state === "on_hold" ? "H" : "?";
        marker.append(mark);
      }
      return marker;
    });
    this.layers.appointments.replaceChildren(...markers);
  }

  renderTechnicians() {
    const markers = this.positions.map((position) => {
      const { x, y } = this.toScreen(position.lat, position.lon);
      const name = this.technicianName(position.technician_id);
      const seen = position.silent ? `silent for ${Math.round(position.silent_for_seconds / 60)} min`
        : `seen ${clock(position.recorded_at)}`;
      const text = `${name} (technician), ${seen}`;
      const marker = svg("g", {
        class: `map-tech${position.silent ? " map-silent" : ""}`,
        transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`,
        role: "img",
        "aria-label": text,
        "data-technician-id": position.technician_id,
      });
      const title = svg("title");
      title.textContent = text;
      const badge = svg("text", { y: 4, "text-anchor": "middle" });
      badge.textContent = initials(name);
      const caption = svg("text", { x: 15, y: 4, class: "map-caption" });
      caption.textContent = name;
      marker.append(title, svg("rect", { x: -11, y: -11, width: 22, height: 22, rx: 4 }), badge, caption);
      return marker;
    });
    this.layers.technicians.replaceChildren(...markers);
  }

  renderSketch() {
    const shapes = [];
    const screen = (p) => this.toScreen(p.lat, p.lon);
    const pointsText = (points) => points.map(screen).map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    if (this.area?.type === "polygon") {
      shapes.push(svg("polygon", { points: pointsText(this.area.points), class: "map-shape" }));
    } else if (this.area?.type === "rectangle") {
      const a = screen({ lat: this.area.north_east.lat, lon: this.area.south_west.lon });
      const b = screen({ lat: this.area.south_west.lat, lon: this.area.north_east.lon });
      shapes.push(svg("rect", { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y, class: "map-shape" }));
    }
    if (this.mode === "polygon" && this.sketch.length) {
      shapes.push(svg("polyline", { points: pointsText(this.sketch), class: "map-sketch" }));
      for (const point of this.sketch.map(screen)) shapes.push(svg("circle", { cx: point.x, cy: point.y, r: 4, class: "map-corner" }));
    }
    if (this.mode === "rectangle" && this.drag?.moved) {
      const { start, last } = this.drag;
      shapes.push(svg("rect", {
        x: Math.min(start.x, last.x), y: Math.min(start.y, last.y),
        width: Math.abs(last.x - start.x), height: Math.abs(last.y - start.y), class: "map-sketch",
      }));
    }
    this.layers.area.replaceChildren(...shapes);
  }

  /** The technicians to pick from, rebuilt only when they change (an open list stays open). */
  renderTechnicianChoices() {
    const technicians = (this.entries?.technicians ?? []).filter((t) => t.active !== false);
    const key = JSON.stringify(technicians.map((t) => [t.technician_id, t.name]));
    if (key === this.technicianKey) return;
    this.technicianKey = key;
    const chosen = this.technician.value;
    this.technician.replaceChildren(...technicians.map((t) => new Option(t.name, t.technician_id)));
    if (technicians.some((t) => t.technician_id === chosen)) this.technician.value = chosen;
  }

  /** The shape the form would send: the drawn area, or the map's view. */
  chosenShape() {
    return this.radios.drawn.checked && this.area ? this.area : this.viewShape();
  }

  renderSelection() {
    const shape = this.chosenShape();
    const inside = this.appointments().filter((a) => insideShape(shape, a.location.lat, a.location.lon));
    const ids = new Set(inside.map((a) => a.appointment_id));
    for (const marker of this.layers.appointments.children) {
      marker.classList.toggle("map-selected", this.area !== null && ids.has(marker.dataset.appointmentId));
    }
    const unassigned = inside.filter(isUnassigned).length;
    const count = `${inside.length} appointment${inside.length === 1 ? "" : "s"} in the area, ` +
      `${unassigned} unassigned.`;
    if (this.count.textContent !== count) this.count.textContent = count; // a live region: news only
    const described = inside.map((a) => [stateOf(a), this.describe(a)]);
    const key = JSON.stringify(described);
    if (key === this.listKey) return;
    this.listKey = key;
    this.list.replaceChildren(...described.map(([state, text]) => html("li", { "data-state": state }, text)));
  }

  async assign() {
    if (!this.entries || !this.technician.value || this.busy) return; // one request at a time
    const name = this.technicianName(this.technician.value);
    let answer;
    this.busy = true;
    try {
      answer = await api("POST", "/dispatch/board/assign-area", {
        date: this.day(),
        technician_id: this.technician.value,
        shape: this.chosenShape(),
        force: this.force.checked,
      });
    } catch (error) {
      announce(this.results, error.message, true);
      return;
    } finally {
      this.busy = false;
    }
    const assigned = answer.results.filter((r) => r.assigned);
    const refused = answer.results.filter((r) => !r.assigned);
    const who = (result) => {
      const appointment = this.entries.appointments.find((a) => a.appointment_id === result.appointment_id);
      return appointment ? `${appointment.customer.name} (${appointment.job_type})` : result.appointment_id;
    };
    const summary = html("p", {}, answer.results.length
      ? `Assigned ${assigned.length} to ${name}, refused ${refused.length}.`
      : "No appointments in this area.");
    const items = [
      ...assigned.map((r) => html("li", { "data-outcome": "assigned" }, `${who(r)}: assigned`)),
      ...refused.map((r) => html("li", { "data-outcome": "refused" }, `${who(r)}: refused, ${r.detail}`)),
    ];
    const list = html("ul");
    list.append(...items);
    this.results.classList.remove("error");
    this.results.replaceChildren(summary, list);
    await refreshBoard();
  }
}

const panel = document.getElementById("map-panel");
const toggle = document.getElementById("map-toggle");
if (panel && toggle) new MapPanel(panel, toggle);
