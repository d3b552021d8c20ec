// Chart.js with only the pieces the console uses, so the bundle stays small.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export const SEVERITY_COLORS = {
  Warning: '#8a94a6',
  Minor: '#e0b400',
  Major: '#e06c00',
  Critical: '#c62828',
};

export function severityChart(canvas, perDay) {
  const severities = ['Warning', 'Minor', 'Major', 'Critical'];
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: perDay.map((d) => d.day),
      datasets: severities.map((s) => ({
        label: s,
        data: perDay.map((d) => d[s] || 0),
        backgroundColor: SEVERITY_COLORS[s],
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}
