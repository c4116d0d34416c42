import { ArrowLeftOutlined, LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Card, Col, Collapse, Descriptions, Flex, Row, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { MONO } from '../log/mono';
import { VerifyEntry } from '../log/VerifyEntry';
import { formatDateTime } from '../shared/format';
import { NotFound } from '../shared/NotFound';
import { ErrorState, Loading } from '../shared/states';
import { useIsPhone } from '../shared/use-media';
import { DID_PATTERN, useLogEntry, useNewestIndex } from './queries';

const { Title, Text } = Typography;

/** Deeper than this, a value is shown as JSON rather than split into rows. */
const MAX_DEPTH = 4;

/** The body as rows of (path, value): `items[0].quantity  2`. */
export function flattenBody(value: unknown, path = '', depth = 0, out: [string, unknown][] = []): [string, unknown][] {
  if (value !== null && typeof value === 'object' && depth < MAX_DEPTH) {
    const pairs: [string, unknown][] = Array.isArray(value)
      ? value.map((item, i) => [`${path}[${i}]`, item])
      : Object.entries(value).map(([key, item]) => [path === '' ? key : `${path}.${key}`, item]);
    if (pairs.length === 0) out.push([path, value]);
    for (const [key, item] of pairs) flattenBody(item, key, depth + 1, out);
  } else {
    out.push([path, value]);
  }
  return out;
}

function BodyValue({ value }: { value: unknown }) {
  if (typeof value === 'string') {
    if (DID_PATTERN.test(value))
      return (
        <Link href={`/explorer?actor=${encodeURIComponent(value)}`} style={MONO}>
          {value}
        </Link>
      );
    // Hashes, keys and signatures: long runs without spaces.
    if (value.length > 24 && !/\s/.test(value)) return <span style={{ ...MONO, fontSize: 12 }}>{value}</span>;
    return <span style={{ wordBreak: 'break-word' }}>{value}</span>;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return <span style={MONO}>{String(value)}</span>;
  if (value === null) return <Text type="secondary">null</Text>;
  return <span style={{ ...MONO, fontSize: 12 }}>{JSON.stringify(value)}</span>;
}

function Body({ body }: { body: Record<string, unknown> }) {
  const { t } = useTranslation();
  const phone = useIsPhone();
  const rows = flattenBody(body);
  if (rows.length === 0 || (rows.length === 1 && rows[0]?.[0] === ''))
    return <Text type="secondary">{t('explorer.entry.emptyBody')}</Text>;
  // A phone stacks each key over its value; wider screens put them side by side.
  return (
    <dl
      data-testid="entry-body"
      style={{
        margin: 0,
        display: 'grid',
        gridTemplateColumns: phone ? '1fr' : 'minmax(120px, max-content) 1fr',
        gap: phone ? '2px' : '6px 16px',
      }}
    >
      {rows.map(([key, value]) => (
        <div key={key} data-key={key} style={{ display: 'contents' }}>
          <dt style={{ ...MONO, color: '#5b6b66', fontSize: 12, paddingTop: phone ? 6 : 2 }}>{key}</dt>
          <dd style={{ margin: 0, minWidth: 0 }}>
            <BodyValue value={value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function PrevNext({ index, newest }: { index: number; newest: number | undefined }) {
  const { t } = useTranslation();
  return (
    <Flex gap={8}>
      {index > 0 ? (
        <Link href={`/explorer/entries/${index - 1}`} asChild>
          <Button icon={<LeftOutlined />} data-testid="entry-prev">
            {t('explorer.entry.prev')}
          </Button>
        </Link>
      ) : (
        <Button icon={<LeftOutlined />} disabled>
          {t('explorer.entry.prev')}
        </Button>
      )}
      {newest !== undefined && index < newest ? (
        <Link href={`/explorer/entries/${index + 1}`} asChild>
          <Button icon={<RightOutlined />} iconPlacement="end" data-testid="entry-next">
            {t('explorer.entry.next')}
          </Button>
        </Link>
      ) : (
        <Button icon={<RightOutlined />} iconPlacement="end" disabled>
          {t('explorer.entry.next')}
        </Button>
      )}
    </Flex>
  );
}

function Entry({ index }: { index: number }) {
  const { t, i18n } = useTranslation();
  const phone = useIsPhone();
  const entry = useLogEntry(index);
  const newest = useNewestIndex();
  const header = (
    <Flex justify="space-between" align="center" gap={8} wrap>
      <Flex vertical gap={4}>
        <Link href="/explorer" style={{ fontSize: 13 }} data-testid="back-to-explorer">
          <ArrowLeftOutlined /> {t('explorer.title')}
        </Link>
        <Title level={phone ? 4 : 3} style={{ margin: 0 }} data-testid="entry-title">
          {t('explorer.entry.title', { index })}
        </Title>
      </Flex>
      <PrevNext index={index} newest={newest.data} />
    </Flex>
  );
  if (entry.isPending)
    return (
      <Flex vertical gap={12}>
        {header}
        <Loading rows={6} />
      </Flex>
    );
  if (entry.isError)
    return (
      <Flex vertical gap={12}>
        {header}
        <ErrorState error={entry.error} retry={() => void entry.refetch()} />
      </Flex>
    );
  const { envelope } = entry.data;
  const custodial = envelope.custody === 'platform';
  const card = (title: ReactNode, children: ReactNode, testId: string) => (
    <Card title={title} size="small" data-testid={testId} styles={{ body: { padding: 12 } }}>
      {children}
    </Card>
  );
  const envelopeCard = card(
    t('explorer.entry.envelope'),
    <Descriptions
      size="small"
      column={1}
      styles={{ label: { width: phone ? 80 : 140 } }}
      items={[
        {
          key: 'type',
          label: t('explorer.entry.type'),
          children: (
            <Link href={`/explorer?type=${encodeURIComponent(envelope.type)}`} data-testid="entry-type" style={MONO}>
              {envelope.type}
            </Link>
          ),
        },
        {
          key: 'actor',
          label: t('explorer.entry.actor'),
          children: (
            <Flex vertical gap={4} style={{ minWidth: 0 }}>
              <Text copyable={{ text: envelope.actor }} style={{ ...MONO, fontSize: 12 }} data-testid="entry-actor">
                {envelope.actor}
              </Text>
              <Link href={`/explorer?actor=${encodeURIComponent(envelope.actor)}`} data-testid="actor-entries">
                {t('explorer.entry.actorEntries')}
              </Link>
            </Flex>
          ),
        },
        {
          key: 'ts',
          label: t('explorer.entry.time'),
          children: (
            <span title={envelope.ts} data-testid="entry-time">
              {formatDateTime(envelope.ts, i18n.language)}
            </span>
          ),
        },
        {
          key: 'custody',
          label: t('explorer.entry.custody'),
          children: (
            <Tag color={custodial ? 'orange' : 'green'} data-testid="entry-custody">
              {custodial ? t('explorer.entry.custodyPlatform') : t('explorer.entry.custodySelf')}
            </Tag>
          ),
        },
        {
          key: 'nonce',
          label: t('explorer.entry.nonce'),
          children: <span style={{ ...MONO, fontSize: 12 }}>{envelope.nonce}</span>,
        },
        {
          key: 'sig',
          label: t('explorer.entry.signature'),
          children: <span style={{ ...MONO, fontSize: 12 }}>{envelope.sig}</span>,
        },
      ]}
    />,
    'entry-envelope',
  );
  const bodyCard = card(t('explorer.entry.body'), <Body body={envelope.body} />, 'entry-body-card');
  const logCard = card(
    t('explorer.entry.inLog'),
    <Descriptions
      size="small"
      column={1}
      styles={{ label: { width: phone ? 80 : 140 } }}
      items={[
        { key: 'index', label: t('explorer.entry.index'), children: <span style={MONO}>{index}</span> },
        {
          key: 'leaf',
          label: t('explorer.entry.leafHash'),
          children: (
            <span style={{ ...MONO, fontSize: 12 }} data-testid="entry-leaf">
              {entry.data.leafHash}
            </span>
          ),
        },
        {
          key: 'integrated',
          label: t('explorer.entry.status'),
          children: entry.data.integrated ? (
            <Tag color="success" data-testid="entry-integrated">
              {t('explorer.entry.integratedIn', { size: entry.data.checkpoint?.size })}
            </Tag>
          ) : (
            <Tag color="processing" data-testid="entry-integrated">
              {t('explorer.entries.pending')}
            </Tag>
          ),
        },
        ...(entry.data.proof === null
          ? []
          : [
              {
                key: 'proof',
                label: t('explorer.entry.proof'),
                children: t('explorer.entry.proofHashes', { count: entry.data.proof.length }),
              },
            ]),
      ]}
    />,
    'entry-log',
  );
  const verifyCard = card(t('explorer.verify.title'), <VerifyEntry index={index} />, 'entry-verify');
  const raw = (
    <Collapse
      size="small"
      items={[
        {
          key: 'raw',
          label: t('explorer.entry.raw'),
          children: (
            <pre
              data-testid="entry-raw"
              style={{ ...MONO, whiteSpace: 'pre-wrap', fontSize: 12, margin: 0, maxHeight: 480, overflow: 'auto' }}
            >
              {JSON.stringify(envelope, null, 2)}
            </pre>
          ),
        },
      ]}
    />
  );
  if (phone)
    return (
      <Flex vertical gap={12}>
        {header}
        {envelopeCard}
        {bodyCard}
        {logCard}
        {verifyCard}
        {raw}
      </Flex>
    );
  return (
    <Flex vertical gap={16}>
      {header}
      <Row gutter={16}>
        <Col span={14}>
          <Flex vertical gap={16}>
            {envelopeCard}
            {bodyCard}
            {raw}
          </Flex>
        </Col>
        <Col span={10}>
          <Flex vertical gap={16}>
            {logCard}
            {verifyCard}
          </Flex>
        </Col>
      </Row>
    </Flex>
  );
}

/** One log entry: its decoded envelope, where it is in the log, and a check of it in this browser. */
export function EntryPage() {
  const params = useParams<{ index: string }>();
  const text = params.index ?? '';
  const index = /^[0-9]{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(index)) return <NotFound />;
  return <Entry index={index} />;
}
