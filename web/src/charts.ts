// Apache ECharts, only the parts the dashboard draws (tree-shaken), and the map of the
// programme's areas registered from the bundled GeoJSON (no tile server).
import * as echarts from 'echarts/core';
import { BarChart, LineChart, MapChart, PieChart, SankeyChart, ScatterChart } from 'echarts/charts';
import {
  GeoComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { GAZA_GEOJSON } from './data/areas';
import { h } from './ui';

echarts.use([
  BarChart,
  LineChart,
  MapChart,
  PieChart,
  SankeyChart,
  ScatterChart,
  GeoComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
echarts.registerMap('gaza', GAZA_GEOJSON as any);

const live: echarts.ECharts[] = [];

export type Option = echarts.EChartsCoreOption;

// A chart in a new element; resized with the window, disposed on the next page.
export function chart(option: Option, opts: { height?: number; testid?: string } = {}): HTMLElement {
  const el = h('div', { class: 'chart', style: `height:${opts.height ?? 300}px`, 'data-testid': opts.testid });
  requestAnimationFrame(() => {
    if (!el.isConnected) return;
    const c = echarts.init(el, undefined, { renderer: 'canvas' });
    // Axis labels are kept inside the box (long ids, big numbers).
    const o = option as Record<string, unknown>;
    const grid = o.xAxis ? { left: 12, right: 24, top: 48, bottom: 12, ...(o.grid as object), containLabel: true } : o.grid;
    c.setOption({ animation: false, ...option, ...(grid ? { grid } : {}) });
    live.push(c);
    el.dataset.rendered = 'true';
  });
  return el;
}

export function disposeCharts(): void {
  while (live.length) live.pop()!.dispose();
}

window.addEventListener('resize', () => live.forEach((c) => c.resize()));
