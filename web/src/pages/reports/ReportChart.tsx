// The report's chart, drawn by Chart.js on a canvas. Loaded lazily (its own chunk): the
// first load of the app stays small. Chart.js sets styles through the CSSOM only (no
// <style> elements, no eval), so it works under the app's Content-Security-Policy.

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { useEffect, useRef } from "react";
import { chartSummary, type ChartModel } from "../../lib/reportChart";
import { formatMinutes } from "../../lib/time";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);
Chart.defaults.font.size = 13;

const TEXT = "#1d2327";
const MUTED = "#5b6570";
const GRID = "#e2e3de";

/** The height the bars need: a row per group, the legend, the axis. */
export function chartHeight(groups: number, series: number): number {
  return Math.max(140, groups * 34 + Math.ceil(series / 3) * 22 + 70);
}

export default function ReportChart({ model, what, caption }: { model: ChartModel; what: string; caption: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily || "system-ui, sans-serif";
    const chart = new Chart(el, {
      type: "bar",
      data: {
        labels: model.groups,
        datasets: model.series.map((s) => ({
          label: s.project,
          data: s.minutes.map((m) => Math.round((m / 60) * 100) / 100),
          backgroundColor: s.colour,
          borderColor: "#ffffff",
          borderWidth: 1,
          borderSkipped: false,
          maxBarThickness: 26,
        })),
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        color: TEXT,
        scales: {
          x: {
            stacked: true,
            beginAtZero: true,
            title: { display: true, text: "Hours", color: MUTED },
            ticks: { color: MUTED },
            grid: { color: GRID },
          },
          y: { stacked: true, ticks: { color: TEXT, autoSkip: false }, grid: { display: false } },
        },
        plugins: {
          legend: { position: "bottom", labels: { color: TEXT, boxWidth: 14, boxHeight: 14 } },
          tooltip: {
            callbacks: {
              label: (item) => {
                const minutes = model.series[item.datasetIndex]?.minutes[item.dataIndex] ?? 0;
                return `${item.dataset.label}: ${formatMinutes(minutes)} (${(minutes / 60).toFixed(2)} h)`;
              },
            },
          },
        },
      },
    });
    return () => chart.destroy();
  }, [model]);

  const summary = chartSummary(model, what);
  return (
    <figure className="report-chart" aria-label={`Chart: ${what}`}>
      <div className="report-chart-box" style={{ height: chartHeight(model.groups.length, model.series.length) }}>
        <canvas ref={canvas} role="img" aria-label={summary}>
          {summary}
        </canvas>
      </div>
      <figcaption className="hint">{caption}</figcaption>
    </figure>
  );
}
