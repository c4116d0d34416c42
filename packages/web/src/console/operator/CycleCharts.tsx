import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

const yuan = (fen: bigint | string): number => Number(BigInt(fen)) / 100;

/** One ECharts chart in SVG, sized to its box, disposed with it. */
function Chart({ option, label, testId, height }: { option: object; label: string; testId: string; height: number }) {
  const element = useRef<HTMLDivElement>(null);
  const latest = useRef(option);
  latest.current = option;
  // Drawn again only when what it shows changes (the option object is new on every render).
  const signature = JSON.stringify(option);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the signature stands for the option
  useEffect(() => {
    if (element.current === null) return;
    const chart = echarts.init(element.current, undefined, { renderer: 'svg' });
    chart.setOption({ animation: false, ...latest.current });
    const resize = () => chart.resize();
    globalThis.addEventListener('resize', resize);
    return () => {
      globalThis.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [signature]);
  return <div ref={element} role="img" aria-label={label} data-testid={testId} style={{ width: '100%', height }} />;
}

/** What each closed cycle took in (its orders' paid money), oldest first. */
export function GmvChart({ cycles }: { cycles: { cycle: number; paidFen: string; orders: number }[] }) {
  const { t } = useTranslation();
  const ordered = [...cycles].sort((a, b) => a.cycle - b.cycle);
  return (
    <Chart
      testId="gmv-chart"
      label={t('console.operator.cycles.gmvChart')}
      height={240}
      option={{
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', valueFormatter: (value: number) => `¥${value.toFixed(2)}` },
        xAxis: { type: 'category', data: ordered.map((c) => String(c.cycle)) },
        yAxis: { type: 'value', axisLabel: { formatter: '¥{value}' } },
        series: [
          {
            name: t('console.operator.cycles.gmv'),
            type: 'bar',
            data: ordered.map((c) => yuan(c.paidFen)),
            itemStyle: { color: '#1f6f5c' },
          },
        ],
      }}
    />
  );
}

/** A closed cycle's money by account kind (a pie) and by party (bars, the largest first). */
export function SharesCharts({
  byKind,
  byParty,
}: {
  byKind: { name: string; fen: bigint }[];
  byParty: { name: string; fen: bigint }[];
}) {
  const { t } = useTranslation();
  const parties = byParty.slice(0, 12).reverse();
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(min(320px, 100%), 1fr))', gap: 12 }}>
      <Chart
        testId="kind-chart"
        label={t('console.operator.cycles.kindChart')}
        height={280}
        option={{
          tooltip: { trigger: 'item', valueFormatter: (value: number) => `¥${value.toFixed(2)}` },
          legend: { type: 'scroll', bottom: 0 },
          series: [
            {
              name: t('console.operator.cycles.kindChart'),
              type: 'pie',
              radius: ['35%', '62%'],
              center: ['50%', '44%'],
              label: { show: false },
              data: byKind.map((k) => ({ name: k.name, value: yuan(k.fen) })),
            },
          ],
        }}
      />
      <Chart
        testId="party-chart"
        label={t('console.operator.cycles.partyChart')}
        height={Math.max(200, 40 + parties.length * 26)}
        option={{
          grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
          tooltip: {
            trigger: 'axis',
            axisPointer: { type: 'shadow' },
            valueFormatter: (value: number) => `¥${value.toFixed(2)}`,
          },
          xAxis: { type: 'value', axisLabel: { formatter: '¥{value}' } },
          yAxis: {
            type: 'category',
            data: parties.map((p) => p.name),
            axisLabel: { width: 120, overflow: 'truncate' },
          },
          series: [
            {
              name: t('console.operator.cycles.partyChart'),
              type: 'bar',
              data: parties.map((p) => yuan(p.fen)),
              itemStyle: { color: '#8fb8ad' },
            },
          ],
        }}
      />
    </div>
  );
}
