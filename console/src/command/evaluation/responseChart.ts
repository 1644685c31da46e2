/**
 * The response-time chart drawn by ECharts (bar chart, canvas). Only the parts
 * used are registered (echarts/core), and this module is reached only through
 * the evaluation tab's lazy chunk, so the command room's first load never
 * carries ECharts.
 */
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { ChartData } from './evaluationChart.ts';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export class ResponseChart {
  readonly #chart: echarts.ECharts;
  readonly #resize = new ResizeObserver(() => this.#chart.resize());

  constructor(element: HTMLElement) {
    this.#chart = echarts.init(element);
    this.#resize.observe(element);
  }

  show(data: ChartData, label: (metric: string) => string, unit: string): void {
    this.#chart.setOption(
      {
        animation: false,
        tooltip: {
          trigger: 'axis',
          valueFormatter: (v: unknown) => (v === null || v === undefined ? '—' : `${v} ${unit}`),
        },
        legend: { top: 0 },
        grid: { left: 48, right: 12, top: 48, bottom: 56 },
        xAxis: { type: 'category', data: data.categories, axisLabel: { interval: 0, fontSize: 11 } },
        yAxis: { type: 'value', name: unit },
        series: data.series.map((s) => ({ type: 'bar', name: label(s.metric), data: s.values })),
      },
      { notMerge: true },
    );
  }

  destroy(): void {
    this.#resize.disconnect();
    this.#chart.dispose();
  }
}
