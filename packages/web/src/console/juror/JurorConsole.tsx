import { useQuery } from '@tanstack/react-query';
import { Badge, Col, List, Row, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'wouter';
import { SignInPrompt } from '../../account/shared';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/session-store';
import { formatDateTime } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { CaseDetail } from './CaseDetail';
import { type JuryItem, jurorKeys } from './queries';

const NEXT_COLOR = { commit: 'orange', reveal: 'orange', wait: 'blue', done: 'default' } as const;

const deadlineOf = (item: JuryItem): string | null =>
  item.next === 'commit' ? item.commitDeadline : item.next === 'reveal' ? item.revealDeadline : null;

/** The juror's console: my cases with what to do next and by when, and the case I open. */
export function JurorConsole() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const mine = useQuery({
    queryKey: jurorKeys.mine(session?.did ?? ''),
    queryFn: () => unwrap(api.GET('/v1/consensus/me/jury')),
    enabled: session !== null,
  });
  if (session === null) return <SignInPrompt next="/console/juror" />;
  if (mine.isPending) return <Loading rows={6} />;
  if (mine.isError) return <ErrorState error={mine.error} retry={() => void mine.refetch()} />;
  const items = mine.data.items;
  const wanted = params.get('case');
  const open =
    items.find((i) => `${i.caseId}:${i.instance}` === wanted) ?? items.find((i) => i.next !== 'done') ?? items[0];

  return (
    <div data-testid="juror-console">
      <Typography.Title level={3} style={{ fontSize: 20, margin: '4px 0 4px' }}>
        {t('console.juror.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.juror.intro')}</Typography.Paragraph>
      {items.length === 0 ? (
        <EmptyState description={t('console.juror.none')} />
      ) : (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={8}>
            <List
              bordered
              size="small"
              style={{ background: '#fff' }}
              dataSource={items}
              data-testid="jury-cases"
              renderItem={(item) => {
                const selected = open === item;
                const deadline = deadlineOf(item);
                return (
                  <List.Item style={{ background: selected ? '#eef6f3' : undefined, padding: 0 }}>
                    <button
                      type="button"
                      onClick={() => setParams({ case: `${item.caseId}:${item.instance}` })}
                      aria-current={selected ? 'true' : undefined}
                      data-testid={`jury-case-${item.caseId}`}
                      style={{
                        cursor: 'pointer',
                        background: 'none',
                        border: 'none',
                        font: 'inherit',
                        color: 'inherit',
                        textAlign: 'start',
                        display: 'block',
                        width: '100%',
                        padding: '10px 12px',
                        boxSizing: 'border-box',
                      }}
                    >
                      <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                        <span style={{ wordBreak: 'break-all' }}>
                          {item.next !== 'done' && <Badge status="processing" />} {item.caseId}
                        </span>
                        <Tag color={NEXT_COLOR[item.next]} data-testid="jury-next">
                          {t(`console.juror.next.${item.next}`)}
                        </Tag>
                      </div>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t('console.juror.instance', { n: item.instance + 1 })}
                        {deadline && ` · ${t('console.juror.by', { at: formatDateTime(deadline, i18n.language) })}`}
                      </Typography.Text>
                    </button>
                  </List.Item>
                );
              }}
            />
          </Col>
          <Col xs={24} lg={16}>
            {open && <CaseDetail key={`${open.caseId}:${open.instance}`} session={session} item={open} />}
          </Col>
        </Row>
      )}
    </div>
  );
}
