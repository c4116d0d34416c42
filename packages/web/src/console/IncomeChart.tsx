import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { formatFen } from '../shared/format';

echarts.use([BarChart, GridComponent, TooltipComponent, SVGRenderer]);

export interface CycleIncome {
  cycle: number;
  fen: string;
}

/**
 * My income per closed settlement cycle, oldest first (bars in yuan; the tooltip in exact fen):
 * every console that earns (producer, expert, tester) shows the same chart.
 */
export function IncomeChart({ cycles: given }: { cycles: CycleIncome[] }) {
  const cycles = useMemo(() => [...given].sort((a, b) => a.cycle - b.cycle), [given]);
  const { t } = useTranslation();
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (element.current === null) return;
    const chart = echarts.init(element.current, undefined, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (items: { dataIndex: number }[]) => {
          const row = cycles[items[0]?.dataIndex ?? 0];
          return row === undefined
            ? ''
            : `${t('console.income.cycle', { cycle: row.cycle })}<br/>${formatFen(row.fen)}`;
        },
      },
      xAxis: { type: 'category', data: cycles.map((c) => `#${c.cycle}`) },
      yAxis: { type: 'value', axisLabel: { formatter: '¥{value}' } },
      series: [
        {
          type: 'bar',
          name: t('console.income.series'),
          data: cycles.map((c) => Number(BigInt(c.fen)) / 100),
          itemStyle: { color: '#1f6f5c' },
          barMaxWidth: 40,
        },
      ],
    });
    const resize = () => chart.resize();
    globalThis.addEventListener('resize', resize);
    return () => {
      globalThis.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [cycles, t]);
  return (
    <div
      ref={element}
      style={{ width: '100%', height: 220 }}
      role="img"
      aria-label={t('console.income.chartLabel')}
      data-testid="income-chart"
    />
  );
}
