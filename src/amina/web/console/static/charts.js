// Dashboards: each chart's series come from the server (aggregates the worker keeps); uPlot draws.
import uPlot from "./vendor/uplot.esm.js";

const data = JSON.parse(document.getElementById("chart-data").textContent);
const palette = ["#0b5cad", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#57606a", "#bf3989", "#0a3069"];

for (const element of document.querySelectorAll("[data-chart]")) {
  const chart = data[element.dataset.chart];
  const names = Object.keys(chart.series);
  const daily = chart.x.length && chart.x[0].length === 10;
  const xs = chart.x.map((x, i) => (daily ? Date.parse(`${x}T12:00:00+03:00`) / 1000 : i));
  const opts = {
    width: Math.max(320, element.clientWidth || 560),
    height: 220,
    scales: { x: { time: daily } },
    series: [{}, ...names.map((name, i) => ({ label: name, stroke: palette[i % palette.length], width: 2 }))],
    axes: [{}, {}],
  };
  new uPlot(opts, [xs, ...names.map((n) => chart.series[n])], element);
  element.dataset.drawn = "1";
}
