import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { type Commission, netFen } from './queries';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

const STATES = ['released', 'frozen'] as const;
const COLORS = { released: '#1f6f5c', frozen: '#8fb8ad' } as const;

/** Commission earned per month (yuan), released and still frozen stacked. */
export function CommissionsChart({ items }: { items: Commission[] }) {
  const { t } = useTranslation();
  const element = useRef<HTMLDivElement>(null);
  const months = useMemo(() => {
    const byMonth = new Map<string, Record<(typeof STATES)[number], number>>();
    for (const c of [...items].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
      if (c.status === 'cancelled') continue;
      const month = c.createdAt.slice(0, 7);
      const entry = byMonth.get(month) ?? { released: 0, frozen: 0 };
      entry[c.status] += Number(netFen(c)) / 100;
      byMonth.set(month, entry);
    }
    return [...byMonth];
  }, [items]);

  useEffect(() => {
    if (element.current === null) return;
    const chart = echarts.init(element.current, undefined, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => `¥${v.toFixed(2)}` },
      xAxis: { type: 'category', data: months.map(([month]) => month) },
      yAxis: { type: 'value', axisLabel: { formatter: '¥{value}' } },
      series: STATES.map((state) => ({
        name: t(`console.promoter.commissions.state.${state}`),
        type: 'bar',
        stack: 'total',
        itemStyle: { color: COLORS[state] },
        data: months.map(([, entry]) => Math.round(entry[state] * 100) / 100),
      })),
    });
    const resize = () => chart.resize();
    globalThis.addEventListener('resize', resize);
    return () => {
      globalThis.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [months, t]);

  return (
    <figure style={{ margin: '0 0 12px' }}>
      <div
        ref={element}
        style={{ width: '100%', height: 220 }}
        role="img"
        aria-label={t('console.promoter.commissions.chartLabel')}
        data-testid="commissions-chart"
      />
    </figure>
  );
}
