import { SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Flex, Input, InputNumber, Row, Select, Space, Tag, Tooltip, Typography } from 'antd';
import { type ReactNode, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useSearch } from 'wouter';
import { type CheckpointVerification, verifyCheckpointNote } from '../log/browser-verify';
import { MONO } from '../log/mono';
import { StepIcon, TrustNote } from '../log/VerifyEntry';
import { formatDateTime, shortDid } from '../shared/format';
import { EmptyState, ErrorState, Loading } from '../shared/states';
import { useIsPhone } from '../shared/use-media';
import {
  DID_PATTERN,
  type EntryFilter,
  useCheckpoints,
  useEntries,
  useEventTypes,
  useServedCheckpoint,
  useWitnesses,
} from './queries';

const { Title, Text, Paragraph } = Typography;

const WITNESS_COLORS = { in_step: 'success', lagging: 'warning', silent: 'error' } as const;

/** The filter of the entry list lives in the query string (?type=&actor=), so a view can be shared. */
function useEntryFilter(): [EntryFilter, (next: EntryFilter) => void] {
  const search = useSearch();
  const [, navigate] = useLocation();
  const filter = useMemo(() => {
    const params = new URLSearchParams(search);
    return { type: params.get('type') || undefined, actor: params.get('actor') || undefined };
  }, [search]);
  const setFilter = (next: EntryFilter) => {
    const params = new URLSearchParams();
    if (next.type) params.set('type', next.type);
    if (next.actor) params.set('actor', next.actor);
    const query = params.toString();
    navigate(query === '' ? '/explorer' : `/explorer?${query}`, { replace: true });
  };
  return [filter, setFilter];
}

function Section({
  title,
  extra,
  children,
  testId,
}: {
  title: ReactNode;
  extra?: ReactNode;
  children: ReactNode;
  testId: string;
}) {
  return (
    <Card title={title} extra={extra} size="small" data-testid={testId} styles={{ body: { padding: 12 } }}>
      {children}
    </Card>
  );
}

/** The published checkpoint verbatim, and a check of its signatures and quorum in this browser. */
function LatestCheckpoint() {
  const { t } = useTranslation();
  const served = useServedCheckpoint();
  const verify = useMutation({ mutationFn: (note: string) => verifyCheckpointNote(note) });
  let body: ReactNode;
  if (served.isPending) body = <Loading rows={3} />;
  else if (served.isError) body = <ErrorState error={served.error} retry={() => void served.refetch()} />;
  else if (served.data === null) body = <EmptyState description={t('explorer.checkpoint.none')} />;
  else {
    const note = served.data;
    body = (
      <Flex vertical gap={12}>
        <Paragraph type="secondary" style={{ margin: 0 }}>
          {t('explorer.checkpoint.intro')}
        </Paragraph>
        <pre
          data-testid="checkpoint-note"
          style={{
            ...MONO,
            whiteSpace: 'pre-wrap',
            fontSize: 12,
            background: '#f6f8f7',
            padding: 12,
            borderRadius: 8,
            margin: 0,
          }}
        >
          {note}
        </pre>
        <div>
          <Button
            icon={<SafetyCertificateOutlined />}
            onClick={() => verify.mutate(note)}
            loading={verify.isPending}
            data-testid="verify-checkpoint"
          >
            {t('explorer.checkpoint.verify')}
          </Button>
        </div>
        {verify.isError && (
          <div data-testid="checkpoint-result" data-status="failed">
            <Alert type="error" showIcon title={t('explorer.verify.unreachable')} description={verify.error.message} />
          </div>
        )}
        {verify.data && <CheckpointOutcome result={verify.data} onForget={() => verify.mutate(note)} />}
      </Flex>
    );
  }
  return (
    <Section title={t('explorer.checkpoint.title')} testId="latest-checkpoint">
      {body}
    </Section>
  );
}

function CheckpointOutcome({ result, onForget }: { result: CheckpointVerification; onForget: () => void }) {
  const { t } = useTranslation();
  const ok = result.status === 'ok';
  const quorumMet = result.cosignatures >= result.quorum;
  return (
    <Flex vertical gap={8} data-testid="checkpoint-result" data-status={result.status}>
      <Alert
        type={ok ? 'success' : 'error'}
        showIcon
        title={ok ? t('explorer.checkpoint.ok', { size: result.size }) : t('explorer.checkpoint.failed')}
      />
      <ul style={{ margin: 0, paddingInlineStart: 0, listStyle: 'none' }}>
        <li style={{ display: 'flex', gap: 8, alignItems: 'baseline' }}>
          <StepIcon ok={result.signedByLog} />
          <span>{t(`explorer.checkpoint.signed.${result.signedByLog}`, { origin: result.trust.pinned.origin })}</span>
        </li>
        <li style={{ display: 'flex', gap: 8, alignItems: 'baseline' }}>
          <StepIcon ok={quorumMet} />
          <span data-testid="checkpoint-cosignatures">
            {t('explorer.checkpoint.quorum', {
              count: result.cosignatures,
              quorum: result.quorum,
              names: result.witnesses.join(', ') || '—',
            })}
          </span>
        </li>
      </ul>
      {result.problems.length > 0 && (
        <ul style={{ margin: 0, paddingInlineStart: 20, color: '#cf1322' }}>
          {result.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <TrustNote trust={result.trust} onForget={onForget} />
    </Flex>
  );
}

function Stats() {
  const { t } = useTranslation();
  const witnesses = useWitnesses();
  if (witnesses.data === undefined) return null;
  const { latestSize, publishedSize, quorum } = witnesses.data;
  const stat = (label: string, value: ReactNode, testId: string) => (
    <Flex vertical style={{ minWidth: 88 }}>
      <Text type="secondary" style={{ fontSize: 12 }}>
        {label}
      </Text>
      <Text strong style={{ fontSize: 20 }} data-testid={testId}>
        {value}
      </Text>
    </Flex>
  );
  return (
    <Flex gap={16} wrap>
      {stat(t('explorer.stats.published'), publishedSize, 'stat-published')}
      {stat(t('explorer.stats.latest'), latestSize, 'stat-latest')}
      {stat(
        t('explorer.stats.quorum'),
        t('explorer.stats.quorumValue', { quorum, count: witnesses.data.witnesses.length }),
        'stat-quorum',
      )}
    </Flex>
  );
}

function JumpBox() {
  const { t } = useTranslation();
  const [, navigate] = useLocation();
  const [value, setValue] = useState<number | null>(null);
  const go = () => {
    if (value !== null && Number.isInteger(value) && value >= 0) navigate(`/explorer/entries/${value}`);
  };
  return (
    <Space.Compact style={{ width: '100%' }}>
      <InputNumber
        min={0}
        precision={0}
        value={value}
        onChange={(next) => setValue(typeof next === 'number' ? next : null)}
        onPressEnter={go}
        placeholder={t('explorer.filters.jumpPlaceholder')}
        aria-label={t('explorer.filters.jump')}
        style={{ width: '100%' }}
        data-testid="jump-index"
      />
      <Button onClick={go} disabled={value === null} data-testid="jump-go">
        {t('explorer.filters.go')}
      </Button>
    </Space.Compact>
  );
}

function ActorBox({ actor, onChange }: { actor: string | undefined; onChange: (actor: string | undefined) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(actor ?? '');
  const [invalid, setInvalid] = useState(false);
  // The URL changed under us (a link to an actor, back/forward): show what is filtered.
  const [shown, setShown] = useState(actor);
  if (shown !== actor) {
    setShown(actor);
    setText(actor ?? '');
    setInvalid(false);
  }
  const submit = () => {
    const value = text.trim();
    if (value !== '' && !DID_PATTERN.test(value)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    onChange(value === '' ? undefined : value);
  };
  return (
    <Flex vertical gap={4}>
      <Space.Compact style={{ width: '100%' }}>
        <Input
          value={text}
          onChange={(event) => setText(event.target.value)}
          onPressEnter={submit}
          allowClear
          status={invalid ? 'error' : undefined}
          placeholder={t('explorer.filters.actorPlaceholder')}
          aria-label={t('explorer.filters.actor')}
          aria-invalid={invalid}
          data-testid="filter-actor"
        />
        <Button
          icon={<SearchOutlined />}
          onClick={submit}
          aria-label={t('explorer.filters.apply')}
          data-testid="filter-actor-go"
        />
      </Space.Compact>
      {invalid && (
        <Text type="danger" style={{ fontSize: 12 }} data-testid="filter-actor-error">
          {t('explorer.filters.actorInvalid')}
        </Text>
      )}
    </Flex>
  );
}

function TypeSelect({ type, onChange }: { type: string | undefined; onChange: (type: string | undefined) => void }) {
  const { t } = useTranslation();
  const types = useEventTypes();
  const options = useMemo(
    () =>
      (types.data?.items ?? [])
        .map((item) => ({ value: item.type, label: item.type, title: item.summary }))
        .sort((a, b) => a.value.localeCompare(b.value)),
    [types.data],
  );
  return (
    <Select
      showSearch
      allowClear
      value={type ?? null}
      onChange={(value: string | null | undefined) => onChange(value ?? undefined)}
      options={options}
      loading={types.isPending}
      status={types.isError ? 'error' : undefined}
      placeholder={types.isError ? t('explorer.filters.typesFailed') : t('explorer.filters.typePlaceholder')}
      aria-label={t('explorer.filters.type')}
      style={{ width: '100%' }}
      data-testid="filter-type"
    />
  );
}

function EntryRow({
  entry,
}: {
  entry: { index: number; type: string; actor: string; ts: string; integrated: boolean };
}) {
  const { t, i18n } = useTranslation();
  return (
    <div
      data-testid="entry-row"
      data-index={entry.index}
      data-type={entry.type}
      data-actor={entry.actor}
      data-integrated={entry.integrated}
      style={{ padding: '10px 0', borderBottom: '1px solid #f0f0f0', display: 'flex', flexDirection: 'column', gap: 2 }}
    >
      <Link href={`/explorer/entries/${entry.index}`} data-testid="entry-link" style={{ fontWeight: 600 }}>
        #{entry.index} <span style={{ ...MONO, fontWeight: 400 }}>{entry.type}</span>
      </Link>
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Link href={`/explorer?actor=${encodeURIComponent(entry.actor)}`} title={entry.actor} style={MONO}>
          {shortDid(entry.actor)}
        </Link>
        <Flex align="center" gap={6}>
          <Text type="secondary" style={{ fontSize: 12 }}>
            {formatDateTime(entry.ts, i18n.language)}
          </Text>
          {entry.integrated ? (
            <Tooltip title={t('explorer.entries.integrated')}>
              <SafetyCertificateOutlined style={{ color: '#1f6f5c' }} aria-label={t('explorer.entries.integrated')} />
            </Tooltip>
          ) : (
            <Tag color="processing" style={{ marginInlineEnd: 0 }}>
              {t('explorer.entries.pending')}
            </Tag>
          )}
        </Flex>
      </Flex>
    </div>
  );
}

function Entries() {
  const { t } = useTranslation();
  const [filter, setFilter] = useEntryFilter();
  const entries = useEntries(filter);
  const items = entries.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = filter.type !== undefined || filter.actor !== undefined;
  let list: ReactNode;
  if (entries.isPending) list = <Loading />;
  else if (entries.isError) list = <ErrorState error={entries.error} retry={() => void entries.refetch()} />;
  else if (items.length === 0)
    list = (
      <EmptyState
        description={filtered ? t('explorer.entries.noneFiltered') : t('explorer.entries.none')}
        action={
          filtered ? (
            <Button onClick={() => setFilter({})} data-testid="clear-filters">
              {t('explorer.filters.clear')}
            </Button>
          ) : undefined
        }
      />
    );
  else
    list = (
      <div data-testid="entry-list">
        {items.map((entry) => (
          <EntryRow key={entry.index} entry={entry} />
        ))}
        {entries.hasNextPage && (
          <Button
            block
            style={{ marginTop: 12 }}
            onClick={() => void entries.fetchNextPage()}
            loading={entries.isFetchingNextPage}
            data-testid="entries-more"
          >
            {t('common.loadMore')}
          </Button>
        )}
        {entries.isFetchNextPageError && <Text type="danger">{t('common.loadFailed')}</Text>}
      </div>
    );
  return (
    <Section title={t('explorer.entries.title')} testId="entries">
      <Flex vertical gap={12}>
        <Row gutter={[8, 8]}>
          <Col xs={24} md={8}>
            <JumpBox />
          </Col>
          <Col xs={24} md={16}>
            <TypeSelect type={filter.type} onChange={(type) => setFilter({ ...filter, type })} />
          </Col>
          <Col xs={24}>
            <ActorBox actor={filter.actor} onChange={(actor) => setFilter({ ...filter, actor })} />
          </Col>
        </Row>
        {filtered && (
          <Flex gap={8} wrap align="center" data-testid="active-filters">
            <Text type="secondary">{t('explorer.filters.active')}</Text>
            {filter.type && (
              <Tag closable onClose={() => setFilter({ ...filter, type: undefined })}>
                {filter.type}
              </Tag>
            )}
            {filter.actor && (
              <Tag closable onClose={() => setFilter({ ...filter, actor: undefined })} title={filter.actor}>
                {shortDid(filter.actor)}
              </Tag>
            )}
          </Flex>
        )}
        {list}
      </Flex>
    </Section>
  );
}

function Witnesses() {
  const { t, i18n } = useTranslation();
  const witnesses = useWitnesses();
  let body: ReactNode;
  if (witnesses.isPending) body = <Loading rows={2} />;
  else if (witnesses.isError) body = <ErrorState error={witnesses.error} retry={() => void witnesses.refetch()} />;
  else if (witnesses.data.witnesses.length === 0) body = <EmptyState description={t('explorer.witnesses.none')} />;
  else
    body = (
      <div>
        {witnesses.data.witnesses.map((witness) => (
          <div
            key={witness.name}
            data-testid="witness-row"
            data-name={witness.name}
            data-status={witness.status}
            style={{ padding: '10px 0', borderBottom: '1px solid #f0f0f0' }}
          >
            <Flex justify="space-between" align="baseline" gap={8} wrap>
              <Text strong style={MONO}>
                {witness.name}
              </Text>
              <Tag color={WITNESS_COLORS[witness.status]} style={{ marginInlineEnd: 0 }} data-testid="witness-status">
                {t(`explorer.witnesses.status.${witness.status}`)}
              </Tag>
            </Flex>
            <Text type="secondary" style={{ fontSize: 12 }}>
              {t('explorer.witnesses.progress', { size: witness.lastCosignedSize, lag: witness.lag })}
              {witness.lastCosignedAt && ` · ${formatDateTime(witness.lastCosignedAt, i18n.language)}`}
            </Text>
          </div>
        ))}
      </div>
    );
  return (
    <Section title={t('explorer.witnesses.title')} testId="witnesses">
      {body}
    </Section>
  );
}

function Checkpoints() {
  const { t, i18n } = useTranslation();
  const checkpoints = useCheckpoints();
  const items = checkpoints.data?.pages.flatMap((page) => page.items) ?? [];
  let body: ReactNode;
  if (checkpoints.isPending) body = <Loading rows={3} />;
  else if (checkpoints.isError)
    body = <ErrorState error={checkpoints.error} retry={() => void checkpoints.refetch()} />;
  else if (items.length === 0) body = <EmptyState description={t('explorer.checkpoints.none')} />;
  else
    body = (
      <div>
        {items.map((checkpoint) => (
          <div
            key={checkpoint.size}
            data-testid="checkpoint-row"
            data-size={checkpoint.size}
            style={{
              padding: '10px 0',
              borderBottom: '1px solid #f0f0f0',
              display: 'flex',
              flexDirection: 'column',
              gap: 4,
            }}
          >
            <Flex justify="space-between" align="baseline" gap={8} wrap>
              <Text strong>{t('explorer.checkpoints.size', { size: checkpoint.size })}</Text>
              <Tag color={checkpoint.published ? 'success' : 'default'} style={{ marginInlineEnd: 0 }}>
                {checkpoint.published ? t('explorer.checkpoints.published') : t('explorer.checkpoints.unpublished')}
              </Tag>
            </Flex>
            <Text type="secondary" style={{ ...MONO, fontSize: 12 }} title={t('explorer.checkpoints.root')}>
              {checkpoint.rootHash}
            </Text>
            <Flex gap={4} wrap align="center">
              <Text type="secondary" style={{ fontSize: 12 }}>
                {formatDateTime(checkpoint.createdAt, i18n.language)} ·{' '}
                {t('explorer.checkpoints.cosigned', { count: checkpoint.cosignatures.length })}
              </Text>
              {checkpoint.cosignatures.map((cosignature) => (
                <Tag
                  key={cosignature.witness}
                  color="green"
                  data-testid="cosignature"
                  title={formatDateTime(cosignature.at, i18n.language)}
                  style={{ marginInlineEnd: 0 }}
                >
                  {cosignature.witness}
                </Tag>
              ))}
            </Flex>
          </div>
        ))}
        {checkpoints.hasNextPage && (
          <Button
            block
            style={{ marginTop: 12 }}
            onClick={() => void checkpoints.fetchNextPage()}
            loading={checkpoints.isFetchingNextPage}
            data-testid="checkpoints-more"
          >
            {t('common.loadMore')}
          </Button>
        )}
      </div>
    );
  return (
    <Section title={t('explorer.checkpoints.title')} testId="checkpoints">
      {body}
    </Section>
  );
}

/** The public log: its latest signed checkpoint, its entries, its witnesses, its checkpoints. */
export function ExplorerPage() {
  const { t } = useTranslation();
  const phone = useIsPhone();
  const header = (
    <Flex vertical gap={8}>
      <Title level={phone ? 4 : 3} style={{ margin: 0 }} data-testid="explorer-title">
        {t('explorer.title')}
      </Title>
      <Paragraph type="secondary" style={{ margin: 0 }}>
        {t('explorer.intro')}
      </Paragraph>
      <Stats />
    </Flex>
  );
  if (phone)
    return (
      <Flex vertical gap={12}>
        {header}
        <Entries />
        <LatestCheckpoint />
        <Witnesses />
        <Checkpoints />
      </Flex>
    );
  return (
    <Flex vertical gap={16}>
      {header}
      <Row gutter={[16, 16]}>
        <Col span={15}>
          <Entries />
        </Col>
        <Col span={9}>
          <Flex vertical gap={16}>
            <LatestCheckpoint />
            <Witnesses />
            <Checkpoints />
          </Flex>
        </Col>
      </Row>
    </Flex>
  );
}
