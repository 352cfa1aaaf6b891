import { useEffect, useRef } from 'preact/hooks';
import { html } from './html.js';

/**
 * A Chart.js chart (the UMD build, window.Chart) that moves with its data: created once, then updated in place
 * without animation, since live figures change several times a second.
 */
export function Chart({ type, label, labels, values }) {
  const canvas = useRef(null);
  const chart = useRef(null);

  useEffect(() => {
    const accent = getComputedStyle(document.documentElement).getPropertyValue('--accent').trim();
    chart.current = new window.Chart(canvas.current, {
      type,
      data: { labels: [], datasets: [{ label, data: [], backgroundColor: accent, borderColor: accent, tension: 0.25, fill: false }] },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    return () => chart.current.destroy();
  }, [type]);

  useEffect(() => {
    chart.current.data.labels = labels;
    chart.current.data.datasets[0].data = values;
    chart.current.update('none');
  }, [labels.join('\u0001'), values.join(',')]);

  const summary = labels.map((l, i) => `${l}: ${values[i]}`).join(', ');
  return html`<div class="chart"><canvas ref=${canvas} role="img" aria-label="${label}. ${summary || 'No data yet.'}"></canvas></div>`;
}
