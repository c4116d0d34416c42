import { BankOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Result, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/session-store';
import { useMe } from '../../session/use-me';
import { shortDid } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { SignInPrompt } from '../../shop/SignInPrompt';
import { EscrowHolds } from './EscrowHolds';

function Section({ title, text, children }: { title: string; text?: ReactNode; children: ReactNode }) {
  return (
    <section
      style={{ background: '#fff', border: '1px solid #eef1f0', borderRadius: 10, padding: 16, marginBottom: 16 }}
    >
      <Typography.Title level={4} style={{ margin: '0 0 4px', fontSize: 16 }}>
        {title}
      </Typography.Title>
      {text !== undefined && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
          {text}
        </Typography.Paragraph>
      )}
      {children}
    </section>
  );
}

/** The releases waiting for the custodian's signature: none until crowdfunding's milestones land. */
function Releases({ did }: { did: string }) {
  const { t } = useTranslation();
  const releases = useQuery({
    queryKey: ['/v1/custodian/releases', did],
    queryFn: () => unwrap(api.GET('/v1/custodian/releases')),
  });
  if (releases.isPending) return <Loading rows={1} />;
  if (releases.isError) return <ErrorState error={releases.error} retry={() => void releases.refetch()} />;
  if (releases.data.releases.length === 0)
    return (
      <div data-testid="releases-empty">
        <EmptyState description={t('console.custodian.releases.empty')} />
      </div>
    );
  // The server lists none before crowdfunding; its items' shape arrives with it, and so does their view.
  return (
    <Typography.Text>
      {t('console.custodian.releases.waiting', { count: releases.data.releases.length })}
    </Typography.Text>
  );
}

/**
 * The custodian's console: the money held in escrow, from the server's custodian endpoints, and
 * the releases it must sign, which arrive with crowdfunding's milestones.
 */
export function CustodianConsole() {
  const { t } = useTranslation();
  const session = useSession();
  const me = useMe(session);
  if (session === null) return <SignInPrompt next="/console/custodian" title={t('console.custodian.signIn')} />;
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  if (!me.data.roles.includes('custodian'))
    return (
      <Result
        status="403"
        title={t('console.custodian.notCustodian')}
        subTitle={t('console.custodian.notCustodianText', { did: shortDid(session.did) })}
        extra={<Link href="/console">{t('console.custodian.back')}</Link>}
        data-testid="not-custodian"
      />
    );
  return (
    <div data-testid="custodian-console">
      <Typography.Title level={3} style={{ fontSize: 20, margin: '4px 0' }}>
        <BankOutlined style={{ color: '#1f6f5c' }} /> {t('console.custodian.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.custodian.text')}</Typography.Paragraph>
      <Section title={t('console.custodian.releases.title')} text={t('console.custodian.releases.text')}>
        <Releases did={session.did} />
      </Section>
      <Section title={t('console.custodian.holds.title')} text={t('console.custodian.holds.text')}>
        <EscrowHolds did={session.did} />
      </Section>
    </div>
  );
}
