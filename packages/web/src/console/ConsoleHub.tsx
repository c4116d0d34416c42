import {
  AuditOutlined,
  BankOutlined,
  ExperimentOutlined,
  NodeIndexOutlined,
  SafetyOutlined,
  ShopOutlined,
  SolutionOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { useSession } from '../session/session-store';
import { useMe } from '../session/use-me';
import { ErrorState, Loading } from '../shared/states';
import { SignInPrompt } from '../shop/SignInPrompt';

/** Each console: the role that opens it (null: any account), its icon. */
export const CONSOLES: { role: string; needs: string | null; icon: ReactNode }[] = [
  { role: 'producer', needs: 'producer', icon: <ShopOutlined /> },
  { role: 'expert', needs: 'expert', icon: <SolutionOutlined /> },
  { role: 'tester', needs: null, icon: <ExperimentOutlined /> },
  { role: 'nominator', needs: null, icon: <NodeIndexOutlined /> },
  { role: 'promoter', needs: 'promoter', icon: <TeamOutlined /> },
  { role: 'juror', needs: null, icon: <AuditOutlined /> },
  { role: 'operator', needs: 'operator', icon: <SafetyOutlined /> },
  { role: 'custodian', needs: 'custodian', icon: <BankOutlined /> },
];

/** The consoles of my roles: where each party of the platform does its job. */
export function ConsoleHub() {
  const { t } = useTranslation();
  const session = useSession();
  const me = useMe(session);
  if (session === null) return <SignInPrompt next="/console" title={t('console.signIn')} />;
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  const roles = new Set<string>(me.data.roles);
  const mine = CONSOLES.filter((c) => c.needs === null || roles.has(c.needs));
  return (
    <div>
      <h2 style={{ fontSize: 18, margin: '4px 0 4px' }}>{t('console.title')}</h2>
      <p style={{ color: '#5b6b66', margin: '0 0 16px' }}>{t('console.text')}</p>
      <div
        style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(min(260px, 100%), 1fr))', gap: 12 }}
        data-testid="consoles"
      >
        {mine.map((c) => (
          <Link
            key={c.role}
            href={`/console/${c.role}`}
            data-testid={`console-${c.role}`}
            style={{
              display: 'block',
              background: '#fff',
              borderRadius: 10,
              border: '1px solid #eef1f0',
              padding: 16,
              color: '#1f2a27',
            }}
          >
            <div style={{ fontSize: 16, fontWeight: 600 }}>
              <span style={{ color: '#1f6f5c' }}>{c.icon}</span> {t(`console.roles.${c.role}.title`)}
            </div>
            <div style={{ color: '#5b6b66', fontSize: 13, marginTop: 6 }}>{t(`console.roles.${c.role}.text`)}</div>
          </Link>
        ))}
      </div>
    </div>
  );
}
