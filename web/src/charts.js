// charts.js - the few Chart.js charts the console draws (only the parts of
// Chart.js it uses are bundled; no animation).
import { ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Legend, LinearScale, Tooltip } from 'chart.js';
import { h } from './dom.js';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend, LinearScale, Tooltip);
Chart.defaults.animation = false;

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NEGLIGIBLE', 'UNKNOWN'];
export const SEVERITY_COLORS = ['#8b0000', '#d1361f', '#e39a1c', '#3b82c4', '#9aa5b5', '#c4cad3'];
export const STATUSES = ['PASS', 'FAIL', 'WARN', 'ERROR'];
export const STATUS_COLORS = ['#2e8b57', '#d1361f', '#e39a1c', '#6b3fa0'];

export const charts = []; // drawn on the current page; destroyed when it changes

function canvasBox(cls, label) {
  const canvas = h('canvas', { role: 'img', 'aria-label': label });
  return [h('div', { class: cls }, canvas), canvas];
}

// A stacked bar chart: labels on x, one dataset per series.
export function stackedBars(label, labels, series, { small = false } = {}) {
  const [box, canvas] = canvasBox(small ? 'chart small' : 'chart', label);
  charts.push(new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.color })) },
    options: { maintainAspectRatio: false, responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } } },
  }));
  return box;
}

export function doughnut(label, labels, data, colors, { mini = false } = {}) {
  const [box, canvas] = canvasBox(mini ? 'chart mini' : 'chart small', label);
  charts.push(new Chart(canvas, {
    type: 'doughnut',
    data: { labels, datasets: [{ data, backgroundColor: colors }] },
    options: { maintainAspectRatio: false, responsive: true,
      plugins: { legend: { display: !mini, position: 'right', labels: { boxWidth: 12 } } } },
  }));
  return box;
}

export function destroyCharts() {
  while (charts.length) charts.pop().destroy();
}
