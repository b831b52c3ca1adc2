// Chart.js, registered once with only the pieces NN Lab draws, and the theme colours read from CSS
// variables so charts follow the light/dark scheme like everything else.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Title,
  Tooltip,
} from 'chart.js';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Title,
  Tooltip,
);

export { Chart };

export interface ChartTheme {
  text: string;
  muted: string;
  grid: string;
  font: string;
  series: string[];
}

export function readChartTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const series: string[] = [];
  for (let i = 1; i <= 8; i++) series.push(read(`--series-${i}`, '#3b82f6'));
  return {
    text: read('--text', '#1f2933'),
    muted: read('--text-muted', '#6b7785'),
    grid: read('--chart-grid', 'rgba(0,0,0,0.08)'),
    font: read('--font-sans', 'system-ui, sans-serif'),
    series,
  };
}

/** Calls `listener` when the system switches between light and dark; returns the unsubscribe. */
export function onSchemeChange(listener: () => void): () => void {
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  query.addEventListener('change', listener);
  return () => query.removeEventListener('change', listener);
}
