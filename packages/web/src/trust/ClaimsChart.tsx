import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttributeRow } from './attribute-rows';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

/**
 * The producer's claim beside the testers' consensus for each numeric attribute, each drawn as
 * where it sits within the model's allowed range (0% = min, 100% = max), so attributes in
 * different units share one scale; the tooltip gives the real values.
 */
export function ClaimsChart({ rows }: { rows: AttributeRow[] }) {
  const { t } = useTranslation();
  const element = useRef<HTMLDivElement>(null);
  const chartable = useMemo(() => rows.filter((row) => row.chartable), [rows]);

  useEffect(() => {
    if (element.current === null) return;
    const chart = echarts.init(element.current, undefined, { renderer: 'svg' });
    const labels = chartable.map((row) => row.label);
    const tooltipValue = (row: AttributeRow | undefined, which: 'claimed' | 'consensus') =>
      row === undefined ? '' : `${row[which] ?? '—'} ${row.unit} (${row.min}–${row.max})`;
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0, data: [t('trust.claimed'), t('trust.consensus')] },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (items: { dataIndex: number; seriesName: string; marker: string }[]) => {
          const row = chartable[items[0]?.dataIndex ?? 0];
          return [
            row?.label ?? '',
            ...items.map(
              (item) =>
                `${item.marker}${item.seriesName}: ${tooltipValue(row, item.seriesName === t('trust.claimed') ? 'claimed' : 'consensus')}`,
            ),
          ].join('<br/>');
        },
      },
      xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      yAxis: { type: 'category', data: labels, inverse: true, axisLabel: { width: 110, overflow: 'truncate' } },
      series: [
        {
          name: t('trust.claimed'),
          type: 'bar',
          data: chartable.map((row) => row.claimedShare),
          itemStyle: { color: '#8fb8ad' },
        },
        {
          name: t('trust.consensus'),
          type: 'bar',
          data: chartable.map((row) => row.consensusShare),
          itemStyle: { color: '#1f6f5c' },
        },
      ],
    });
    const resize = () => chart.resize();
    globalThis.addEventListener('resize', resize);
    return () => {
      globalThis.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [chartable, t]);

  return (
    <figure style={{ margin: '0 0 12px' }}>
      <div
        ref={element}
        style={{ width: '100%', height: 40 + chartable.length * 44 }}
        role="img"
        aria-label={t('trust.chartLabel')}
        data-testid="claims-chart"
      />
      <figcaption style={{ color: '#8a9793', fontSize: 12 }}>{t('trust.chartCaption')}</figcaption>
    </figure>
  );
}
