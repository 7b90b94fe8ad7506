// Charts of the dashboard: Apache ECharts with only the line and bar types, the grid,
// tooltip and legend and the canvas renderer registered (the rest of ECharts stays out of
// the bundle); each chart carries its numbers as a table (the text alternative, with links
// to the analytics table behind them) and offers its picture as PNG and its numbers as CSV.
import { BarChart, LineChart } from 'echarts/charts';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { ComposeOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';
import { ScrollTable } from './components';
import { useT } from './state';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

type Option = ComposeOption<BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

// Series colours with AA contrast on white, told apart by line style too (solid, dashed).
const colours = ['#0a4d99', '#b34700', '#1d6b2f', '#6b3a8a'];

export interface ChartSeries {
  name: string;
  values: (number | null)[];
  // Where each value comes from (an analytics or evaluation address), linked in the table.
  links?: (string | undefined)[];
}

export interface ChartProps {
  // Names the chart's test id and its downloaded files (qpan-<name>.png / .csv).
  name: string;
  title: string;
  kind: 'line' | 'bar';
  categoryLabel: string;
  categories: string[];
  // The machine codes of the categories (units, periods), the CSV's first column.
  codes: string[];
  // Where each category leads in the table (a unit's own dashboard).
  categoryLinks?: string[];
  series: ChartSeries[];
  format: (value: number) => string;
  // Counts: the value axis steps by whole numbers (else a small range repeats "1, 1, 2").
  wholeNumbers?: boolean;
}

export function Chart(props: ChartProps) {
  const t = useT();
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const titleId = `chart-${props.name}-title`;
  // Horizontal bars: unit names are long and a phone is narrow, so names go on the left.
  const horizontal = props.kind === 'bar' && props.series.length === 1;
  const height = horizontal ? Math.max(160, props.categories.length * 32 + 60) : 320;

  useEffect(() => {
    if (!box.current) return;
    const instance = echarts.init(box.current, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(box.current);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const categoryAxis = { type: 'category' as const, data: props.categories, inverse: horizontal, axisLabel: { width: 140, overflow: 'truncate' as const, interval: props.categories.length <= 12 ? 0 : 'auto' as const } };
    const valueAxis = { type: 'value' as const, minInterval: props.wholeNumbers ? 1 : undefined, axisLabel: { formatter: (v: number) => props.format(v) } };
    const option: Option = {
      animation: false,
      color: colours,
      grid: { left: 8, right: 24, top: props.series.length > 1 ? 40 : 16, bottom: 8, containLabel: true },
      legend: props.series.length > 1 ? { top: 0 } : undefined,
      tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? props.format(v) : '–') },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: props.series.map((s, i) => (props.kind === 'line'
        ? { type: 'line', name: s.name, data: s.values, connectNulls: false, lineStyle: { type: i === 0 ? 'solid' : 'dashed', width: 2 } }
        : { type: 'bar', name: s.name, data: s.values })),
    };
    chart.current?.setOption(option, true);
    // After every render: setting the option is cheap without animation, and so the chart
    // follows the language, the figure and the data without a list of what they depend on.
  });

  const downloadPng = () => {
    if (!chart.current) return;
    const url = chart.current.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' });
    const bytes = Uint8Array.from(atob(url.slice(url.indexOf(',') + 1)), (c) => c.charCodeAt(0));
    save(new Blob([bytes], { type: 'image/png' }), `qpan-${props.name}.png`);
  };

  const downloadCsv = () => {
    const header = [t('code'), props.categoryLabel, ...props.series.map((s) => s.name)];
    const rows = props.categories.map((label, i) => [props.codes[i], label, ...props.series.map((s) => (s.values[i] === null ? '' : String(s.values[i])))]);
    // A byte order mark so that a spreadsheet opens the Vietnamese names as UTF-8.
    const text = '\ufeff' + [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
    save(new Blob([text], { type: 'text/csv;charset=utf-8' }), `qpan-${props.name}.csv`);
  };

  return (
    <figure class="chart" data-testid={`chart-${props.name}`} aria-labelledby={titleId}>
      <h3 id={titleId}>{props.title}</h3>
      <div ref={box} class="chart-canvas" style={{ height: `${height}px` }} role="img"
        aria-label={t('chartAlt', { title: props.title })} />
      <div class="actions">
        <button type="button" aria-describedby={titleId} onClick={downloadPng} data-testid="download-png">{t('downloadPng')}</button>
        <button type="button" aria-describedby={titleId} onClick={downloadCsv} data-testid="download-csv">{t('downloadCsv')}</button>
      </div>
      <details>
        <summary>{t('chartTable')}</summary>
        <ScrollTable label={props.title} testId={`table-${props.name}`} columns={[
          { key: 'category', label: props.categoryLabel },
          ...props.series.map((s, i) => ({ key: `s${i}`, label: s.name, numeric: true })),
        ]}>
          {props.categories.map((label, i) => (
            <tr key={props.codes[i]} data-code={props.codes[i]}>
              <th scope="row">{props.categoryLinks ? <a href={props.categoryLinks[i]}>{label}</a> : label}</th>
              {props.series.map((s, j) => {
                const value = s.values[i];
                const text = value === null ? '–' : props.format(value);
                const link = s.links?.[i];
                return <td key={j} class="num" data-value={value ?? ''}>{link && value !== null ? <a href={link}>{text}</a> : text}</td>;
              })}
            </tr>
          ))}
        </ScrollTable>
      </details>
    </figure>
  );
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// Hands a file to the browser as a download.
function save(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked once the browser has had the time to start the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
