import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';

/** What a page that needs an account shows to a visitor: why, and the way in (and back here). */
export function SignInPrompt({ next, title }: { next: string; title: string }) {
  const { t } = useTranslation();
  return (
    <Result
      status="info"
      title={title}
      subTitle={t('shop.signIn.text')}
      extra={
        <Link href={`/wallet?next=${encodeURIComponent(next)}`}>
          <Button type="primary" data-testid="sign-in-prompt">
            {t('nav.signIn')}
          </Button>
        </Link>
      }
    />
  );
}
