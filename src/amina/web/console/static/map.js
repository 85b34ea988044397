// The person's map: our territory and its tolerance band (and raster tiles only when the
// operator set AMINA_MAP_TILE_URL), the last 30 days' points coloured by accuracy and flags,
// a time slider and a replay.
import * as L from "./vendor/leaflet.esm.js";

const data = JSON.parse(document.getElementById("map-data").textContent);
// Points arrive as compact rows [instant, lat, lon, accuracy, mock, speed, placement] and are
// labelled here, in Moscow time, whatever the officer's own time zone.
const moscow = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/Moscow", day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit",
  hourCycle: "h23",
});
function moscowLabel(instant) {
  const part = Object.fromEntries(moscow.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${part.day}.${part.month} ${part.hour}:${part.minute}`;
}
data.points = data.points.map(([at, lat, lon, acc, mock, speed, placement]) => {
  const instant = new Date(at);
  return { t: instant.getTime() / 1000, at: moscowLabel(instant), lat, lon, acc, mock, speed, placement };
});
const map = L.map("map", { preferCanvas: true, attributionControl: Boolean(data.tiles) });
// A view first: Leaflet draws nothing on a map without one.
const outline = L.geoJSON(data.layers.outer);
map.fitBounds(data.points.length
  ? L.latLngBounds(data.points.map((p) => [p.lat, p.lon])).pad(0.2)
  : outline.getBounds());
if (data.tiles) L.tileLayer(data.tiles, { maxZoom: 18 }).addTo(map);
L.geoJSON(data.layers.outer, { style: { color: "#9a6700", weight: 1, fillOpacity: 0.05, dashArray: "4 4" } }).addTo(map);
L.geoJSON(data.layers.territory, { style: { color: "#0b5cad", weight: 2, fillOpacity: 0.08 } }).addTo(map);
L.geoJSON(data.layers.inner, { style: { color: "#0b5cad", weight: 1, fillOpacity: 0, dashArray: "2 6" } }).addTo(map);

function colour(p) {
  if (p.mock || p.speed) return "#cf222e";
  return p.acc !== null && p.acc <= 100 ? "#1a7f37" : "#9a6700";
}
const markers = data.points.map((p) =>
  L.circleMarker([p.lat, p.lon], { radius: 5, color: colour(p), weight: 1, fillOpacity: 0.8 })
    .bindTooltip(`${p.at} ±${Math.round(p.acc ?? 0)} m${p.mock ? " mock" : ""}${p.speed ? " speed" : ""}`));
const layer = L.layerGroup(markers).addTo(map);
const track = L.polyline([], { color: "#57606a", weight: 1 }).addTo(map);

const slider = document.getElementById("slider");
const label = document.getElementById("slider-label");
function show(n) {
  layer.clearLayers();
  markers.slice(0, n).forEach((m) => layer.addLayer(m));
  track.setLatLngs(data.points.slice(0, n).map((p) => [p.lat, p.lon]));
  label.textContent = n ? data.points[n - 1].at : "—";
  document.getElementById("map").dataset.shown = String(n);
}
slider.addEventListener("input", () => show(Number(slider.value)));
let timer = null;
document.getElementById("replay").addEventListener("click", () => {
  clearInterval(timer);
  let n = 0;
  timer = setInterval(() => {
    n += Math.max(1, Math.ceil(markers.length / 200));
    if (n >= markers.length) { n = markers.length; clearInterval(timer); }
    slider.value = String(n);
    show(n);
  }, 40);
});
show(markers.length);
