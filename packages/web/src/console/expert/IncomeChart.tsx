import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { CycleIncome } from './Earnings';

echarts.use([BarChart, GridComponent, TooltipComponent, SVGRenderer]);

/** Income per settlement cycle, in yuan (loaded on demand: ECharts is not in the first load). */
export function IncomeChart({ cycles }: { cycles: CycleIncome[] }) {
  const { t } = useTranslation();
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (element.current === null) return;
    const chart = echarts.init(element.current, undefined, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: (value: number) => `¥${value.toFixed(2)}` },
      xAxis: { type: 'category', data: cycles.map((c) => t('console.expert.earnings.cycleN', { n: c.cycle })) },
      yAxis: { type: 'value', axisLabel: { formatter: '¥{value}' } },
      series: [
        {
          type: 'bar',
          name: t('console.expert.earnings.income'),
          data: cycles.map((c) => Number(c.totalFen) / 100),
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
  }, [cycles, t]);
  return (
    <div
      ref={element}
      role="img"
      aria-label={t('console.expert.earnings.chart')}
      data-testid="income-chart"
      style={{ width: '100%', height: 220 }}
    />
  );
}
