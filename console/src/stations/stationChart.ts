/**
 * The station chart with ECharts (modular: line and bar charts, grid, tooltip, mark lines, the canvas renderer;
 * about a third of the full library). Imported only when a chart opens, so it is a chunk of its own and the
 * command room loads none of it before. Threshold lines: rain gauges their 1 h thresholds (the bars are hourly
 * rainfall), water level stations their stage per colour and 警戒/保证水位; displacement none (its thresholds
 * are on the 24 h movement, not on the curve).
 */
import type { StationView, WarningColour } from '@beacon/protocol';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { StationChartData } from './stationApi.ts';

echarts.use([BarChart, LineChart, GridComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

const COLOUR: Record<WarningColour, string> = { blue: '#1f6fd1', yellow: '#e8b400', orange: '#f07c00', red: '#c8102e' };
const LEVELS: WarningColour[] = ['blue', 'yellow', 'orange', 'red'];

export interface ChartLabels {
  series: string;
  threshold: (level: WarningColour) => string;
  warningLevel: string;
  guaranteedLevel: string;
}

interface Line {
  name: string;
  yAxis: number;
  colour: string;
}

export function thresholdLines(station: StationView, labels: ChartLabels): Line[] {
  const lines: Line[] = [];
  for (const level of LEVELS) {
    const value =
      station.kind === 'rain'
        ? station.thresholds.rain?.[level]?.h1
        : station.kind === 'water_level'
          ? station.thresholds.value?.[level]
          : undefined;
    if (value !== undefined) lines.push({ name: labels.threshold(level), yAxis: value, colour: COLOUR[level] });
  }
  if (station.kind === 'water_level') {
    if (station.warningLevel !== null)
      lines.push({ name: labels.warningLevel, yAxis: station.warningLevel, colour: '#e8b400' });
    if (station.guaranteedLevel !== null)
      lines.push({ name: labels.guaranteedLevel, yAxis: station.guaranteedLevel, colour: '#c8102e' });
  }
  return lines;
}

export function drawStationChart(element: HTMLElement, data: StationChartData, labels: ChartLabels): () => void {
  const chart = echarts.init(element);
  const lines = thresholdLines(data.station, labels);
  const values = data.points.map((p) => p.value);
  const all = [...values, ...lines.map((l) => l.yAxis)];
  chart.setOption({
    animation: false,
    grid: { left: 48, right: 64, top: 16, bottom: 28 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'time', min: data.from, max: data.to },
    yAxis: {
      type: 'value',
      scale: data.station.kind !== 'rain',
      // Threshold lines stay in view even when every reading is far below them.
      max: all.length > 0 ? (v: { max: number }) => Math.max(v.max, ...all) : undefined,
    },
    series: [
      {
        name: labels.series,
        type: data.station.kind === 'rain' ? 'bar' : 'line',
        showSymbol: false,
        data: data.points.map((p) => [p.at, p.value]),
        markLine: {
          symbol: 'none',
          silent: true,
          data: lines.map((l) => ({
            name: l.name,
            yAxis: l.yAxis,
            lineStyle: { color: l.colour, type: 'dashed' },
            label: { formatter: l.name, color: l.colour, position: 'end' },
          })),
        },
      },
    ],
  });
  const resize = () => chart.resize();
  window.addEventListener('resize', resize);
  return () => {
    window.removeEventListener('resize', resize);
    chart.dispose();
  };
}
