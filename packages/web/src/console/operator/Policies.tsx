import {
  DEFAULT_DISTRIBUTION_POLICY,
  DEFAULT_SPLIT_POLICY,
  distributionPolicyIssues,
  SPLIT_SHARE_FIELDS,
  type SplitPolicy,
  splitPolicyIssues,
  supplierShareBps,
} from '@concord/protocol';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { formatFen, localized } from '../../shared/format';
import { ErrorState, Loading } from '../../shared/states';
import { CategoryPolicyForm } from './CategoryPolicyForm';
import { useCategories } from './Panels';
import { type Json, Section } from './shared';

type Category = Json<'/v1/catalog/categories'>['items'][number];
type Points = Json<'/v1/points/summary'>;

const percent = (bps: number | bigint): string => `${Number(bps) / 100}%`;

/** A policy's validation: valid, or each issue's field and message. */
function Validity({ issues, testId }: { issues: { field?: string; message: string }[]; testId?: string }) {
  const { t } = useTranslation();
  if (issues.length === 0)
    return (
      <Tag color="green" data-testid={testId}>
        {t('console.operator.policies.valid')}
      </Tag>
    );
  return (
    <span data-testid={testId}>
      {issues.map((issue) => (
        <Tag color="red" key={`${issue.field}-${issue.message}`}>
          {issue.field ? `${issue.field}: ` : ''}
          {issue.message}
        </Tag>
      ))}
    </span>
  );
}

function SplitShares({ policy }: { policy: SplitPolicy }) {
  const { t } = useTranslation();
  return (
    <span>
      {SPLIT_SHARE_FIELDS.map((field) => (
        <Tag key={field}>
          {t(`console.operator.policies.shares.${field}`)} {percent(policy[field])}
        </Tag>
      ))}
      <Tag color="blue">
        {t('console.operator.policies.shares.supplier')} {percent(supplierShareBps(policy))}
      </Tag>
    </span>
  );
}

/** A category's split: the default, or its override merged into it and checked. */
function CategorySplit({ override }: { override: Record<string, unknown> | null }) {
  const { t } = useTranslation();
  if (override === null) return <Tag>{t('console.operator.policies.defaultSplit')}</Tag>;
  const merged = { ...DEFAULT_SPLIT_POLICY, ...override };
  const issues = splitPolicyIssues(merged, 'splitPolicy');
  return (
    <span>
      {issues.length === 0 && <SplitShares policy={merged as SplitPolicy} />}
      <Validity issues={issues} />
    </span>
  );
}

const POINT_FIELDS: (keyof Points)[] = [
  'mintedPoints',
  'heldPoints',
  'spentPoints',
  'burnedPoints',
  'feePoints',
  'stakedPoints',
  'otherPoints',
  'reversedPoints',
  'issuedPoints',
];

function DistributionPolicyView() {
  const { t } = useTranslation();
  const p = DEFAULT_DISTRIBUTION_POLICY;
  const issues = distributionPolicyIssues(p, DEFAULT_SPLIT_POLICY);
  const yuan = (fen: bigint) => formatFen(fen);
  return (
    <>
      <p>
        {t('console.operator.policies.validation')} <Validity issues={issues} testId="distribution-validity" />
      </p>
      <Table
        rowKey="level"
        size="small"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={[...p.levels]}
        columns={[
          {
            title: t('console.operator.policies.level'),
            dataIndex: 'level',
            render: (l: string) => t(`console.operator.policies.levels.${l}`),
          },
          { title: t('console.operator.policies.ownSales'), dataIndex: 'minOwnSalesFen', render: yuan },
          { title: t('console.operator.policies.teamSales'), dataIndex: 'minTeamSalesFen', render: yuan },
          { title: t('console.operator.policies.members'), dataIndex: 'minDirectMembers' },
          { title: t('console.operator.policies.commission'), dataIndex: 'commissionBps', render: percent },
          { title: t('console.operator.policies.override'), dataIndex: 'overrideBps', render: percent },
        ]}
      />
      <Table
        rowKey="tier"
        size="small"
        pagination={false}
        scroll={{ x: 'max-content' }}
        style={{ marginTop: 12 }}
        dataSource={[...p.tiers]}
        columns={[
          {
            title: t('console.operator.policies.tier'),
            dataIndex: 'tier',
            render: (tier: string) => t(`console.operator.policies.tiers.${tier}`),
          },
          { title: t('console.operator.policies.minSpend'), dataIndex: 'minSpendFen', render: yuan },
          { title: t('console.operator.policies.minInvites'), dataIndex: 'minInvites' },
          { title: t('console.operator.policies.cashback'), dataIndex: 'cashbackBps', render: percent },
        ]}
      />
      <Descriptions
        size="small"
        bordered
        style={{ marginTop: 12 }}
        column={{ xs: 1, sm: 2, md: 3 }}
        items={[
          { key: 'freeze', label: t('console.operator.policies.freezeDays'), children: p.freezeDays },
          { key: 'binding', label: t('console.operator.policies.binding'), children: p.bindingMode },
          { key: 'referral', label: t('console.operator.policies.referral'), children: percent(p.referralRewardBps) },
          {
            key: 'transfer',
            label: t('console.operator.policies.transferFee'),
            children: percent(p.points.transferFeeBps),
          },
          {
            key: 'burn',
            label: t('console.operator.policies.monthlyBurn'),
            children: percent(p.points.monthlyBurnBps),
          },
          { key: 'earn', label: t('console.operator.policies.earn'), children: p.points.earnPointsPerFen },
          {
            key: 'abuse',
            label: t('console.operator.policies.abuse'),
            span: 'filled' as const,
            children: t('console.operator.policies.abuseRule', {
              minutes: p.abuse.velocityWindowMinutes,
              device: p.abuse.maxOrdersPerDevice,
              ip: p.abuse.maxOrdersPerIp,
            }),
          },
        ]}
      />
    </>
  );
}

/**
 * The policies: the split and distribution policies the server runs (the protocol's defaults; no
 * endpoint serves the policy in force), each checked by the protocol's validators, the categories'
 * deposits and split overrides, which the operator edits, and whether the points ledger conserves.
 */
export function Policies() {
  const { t, i18n } = useTranslation();
  const categories = useCategories();
  const [editing, setEditing] = useState<Category | null>(null);
  const points = useQuery({ queryKey: ['/v1/points/summary'], queryFn: () => unwrap(api.GET('/v1/points/summary')) });
  return (
    <>
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title={t('console.operator.policies.sourceTitle')}
        description={t('console.operator.policies.sourceText')}
      />
      <Section title={t('console.operator.policies.splitTitle')} text={t('console.operator.policies.splitText')}>
        <p>
          <SplitShares policy={DEFAULT_SPLIT_POLICY} />{' '}
          <Validity issues={splitPolicyIssues(DEFAULT_SPLIT_POLICY)} testId="split-validity" />
        </p>
        {categories.isPending ? (
          <Loading />
        ) : categories.isError ? (
          <ErrorState error={categories.error} retry={() => void categories.refetch()} />
        ) : (
          <Table<Category>
            rowKey="slug"
            size="small"
            pagination={false}
            scroll={{ x: 'max-content' }}
            dataSource={categories.data.items}
            data-testid="category-policies"
            columns={[
              {
                title: t('console.operator.policies.category'),
                key: 'name',
                render: (_: unknown, c) => `${localized(c.name, i18n.language)} (${c.slug})`,
              },
              {
                title: t('console.operator.policies.deposit'),
                dataIndex: 'depositFen',
                render: (fen: string) => formatFen(fen),
              },
              {
                title: t('console.operator.policies.split'),
                dataIndex: 'splitPolicy',
                render: (override: Category['splitPolicy']) => <CategorySplit override={override} />,
              },
              {
                title: t('console.operator.policies.edit.action'),
                key: 'edit',
                render: (_: unknown, c) => (
                  <Button size="small" onClick={() => setEditing(c)} data-testid={`edit-category-${c.slug}`}>
                    {t('console.operator.policies.edit.action')}
                  </Button>
                ),
              },
            ]}
          />
        )}
        {editing !== null && <CategoryPolicyForm category={editing} onClose={() => setEditing(null)} />}
      </Section>
      <Section
        title={t('console.operator.policies.distributionTitle')}
        text={t('console.operator.policies.distributionText')}
      >
        <DistributionPolicyView />
      </Section>
      <Section title={t('console.operator.policies.pointsTitle')} text={t('console.operator.policies.pointsText')}>
        {points.isPending ? (
          <Loading />
        ) : points.isError ? (
          <ErrorState error={points.error} retry={() => void points.refetch()} />
        ) : (
          <>
            <Alert
              type={points.data.conserved ? 'success' : 'error'}
              showIcon
              style={{ marginBottom: 12 }}
              title={
                points.data.conserved
                  ? t('console.operator.policies.conserved')
                  : t('console.operator.policies.notConserved')
              }
              data-testid="points-conserved"
            />
            <Descriptions
              size="small"
              bordered
              column={{ xs: 1, sm: 2, md: 3 }}
              items={[
                ...POINT_FIELDS.map((field) => ({
                  key: field,
                  label: t(`console.operator.policies.points.${field}`),
                  children: String(points.data[field]),
                })),
                { key: 'holders', label: t('console.operator.policies.points.holders'), children: points.data.holders },
                { key: 'stakers', label: t('console.operator.policies.points.stakers'), children: points.data.stakers },
              ]}
            />
          </>
        )}
      </Section>
    </>
  );
}
