import { ShopOutlined } from '@ant-design/icons';
import { Alert, Button, Result } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { submit, useErrorText } from './shared';

/** What an account without the producer role sees: what the console is for, and how to apply. */
export function ApplyProducer() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [state, setState] = useState<{ ok: boolean; text: string } | null>(null);
  const apply = async () => {
    setBusy(true);
    try {
      await submit('identity.role.applied', { role: 'producer' });
      setState({ ok: true, text: t('console.producer.apply.sent') });
    } catch (error) {
      setState({ ok: false, text: errorText(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Result
      icon={<ShopOutlined />}
      title={t('console.producer.apply.title')}
      subTitle={t('console.producer.apply.text')}
      data-testid="producer-apply"
      extra={
        <div style={{ display: 'flex', flexDirection: 'column', gap: 12, alignItems: 'center' }}>
          {state !== null && (
            <Alert type={state.ok ? 'success' : 'error'} showIcon title={state.text} data-testid="apply-result" />
          )}
          <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap', justifyContent: 'center' }}>
            <Button
              type="primary"
              loading={busy}
              disabled={state?.ok === true}
              onClick={() => void apply()}
              data-testid="apply-producer"
            >
              {t('console.producer.apply.button')}
            </Button>
            <Link href="/console">
              <Button>{t('console.producer.allConsoles')}</Button>
            </Link>
          </div>
        </div>
      }
    />
  );
}
