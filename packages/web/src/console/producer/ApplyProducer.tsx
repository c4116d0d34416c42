import { ShopOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ActionNote, submit } from './shared';

/** What an account without the producer role sees: what the console is for, and how to apply. */
export function ApplyProducer() {
  const { t } = useTranslation();
  const apply = useMutation({ mutationFn: () => submit('identity.role.applied', { role: 'producer' }) });
  return (
    <Result
      icon={<ShopOutlined />}
      title={t('console.producer.apply.title')}
      subTitle={t('console.producer.apply.text')}
      data-testid="producer-apply"
      extra={
        <div style={{ display: 'flex', flexDirection: 'column', gap: 12, alignItems: 'center' }}>
          <ActionNote
            error={apply.error}
            done={apply.isSuccess ? t('console.producer.apply.sent') : undefined}
            testId="apply-result"
          />
          <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap', justifyContent: 'center' }}>
            <Button
              type="primary"
              loading={apply.isPending}
              disabled={apply.isSuccess}
              onClick={() => apply.mutate()}
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
