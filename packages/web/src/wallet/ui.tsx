import { ArrowLeftOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { passphraseStrength } from './strength';

/** One column, phone first: a back link, a heading, the content. */
export function Panel({
  title,
  intro,
  onBack,
  children,
  testId,
}: {
  title: ReactNode;
  intro?: ReactNode;
  onBack?: () => void;
  children: ReactNode;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <section style={{ maxWidth: 560, margin: '0 auto', width: '100%' }} data-testid={testId}>
      {onBack && (
        <Button
          type="text"
          icon={<ArrowLeftOutlined />}
          onClick={onBack}
          data-testid="wallet-back"
          style={{ marginBottom: 4, marginInlineStart: -8 }}
        >
          {t('common.back')}
        </Button>
      )}
      <Card styles={{ body: { padding: 20 } }}>
        <Typography.Title level={3} style={{ marginTop: 0, fontSize: 22 }}>
          {title}
        </Typography.Title>
        {intro && <Typography.Paragraph type="secondary">{intro}</Typography.Paragraph>}
        {children}
      </Card>
    </section>
  );
}

/** What went wrong with the last action, said where the action is. */
export function ErrorNote({ text }: { text: string | null }) {
  if (text === null) return null;
  return (
    <Alert
      type="error"
      showIcon
      title={<span data-testid="wallet-error">{text}</span>}
      style={{ marginBottom: 16 }}
      role="alert"
    />
  );
}

/** A large tappable choice: icon, title, one line of explanation. */
export function Choice({
  icon,
  title,
  text,
  extra,
  onClick,
  testId,
  primary = false,
  pressed,
}: {
  icon: ReactNode;
  title: ReactNode;
  text?: ReactNode;
  extra?: ReactNode;
  onClick: () => void;
  testId: string;
  primary?: boolean;
  pressed?: boolean;
}) {
  return (
    <button
      type="button"
      onClick={onClick}
      data-testid={testId}
      aria-pressed={pressed}
      className="wallet-choice"
      style={{
        display: 'flex',
        alignItems: 'flex-start',
        gap: 12,
        width: '100%',
        textAlign: 'start',
        padding: '14px 16px',
        marginBottom: 12,
        borderRadius: 8,
        border: `1px solid ${primary || pressed ? '#1f6f5c' : '#e3e6e8'}`,
        background: primary ? '#eef6f3' : pressed ? '#f6faf8' : '#fff',
        cursor: 'pointer',
        font: 'inherit',
        color: 'inherit',
      }}
    >
      <span style={{ fontSize: 22, color: '#1f6f5c', lineHeight: 1, paddingTop: 2 }} aria-hidden>
        {icon}
      </span>
      <span style={{ flex: 1, minWidth: 0 }}>
        <span style={{ display: 'flex', alignItems: 'center', gap: 8, fontWeight: 600, fontSize: 16 }}>
          {title}
          {extra}
        </span>
        {text && <span style={{ display: 'block', color: '#5c6663', marginTop: 2, fontSize: 13 }}>{text}</span>}
      </span>
    </button>
  );
}

const STRENGTH_COLOURS = ['#d4380d', '#d4380d', '#d48806', '#389e0d', '#1f6f5c'];

/** A new passphrase, twice, with a strength hint: the fields `passphrase` and `confirm` of the form. */
export function NewPassphraseFields({
  min,
  testId,
  label,
  help,
}: {
  min: number;
  testId: string;
  label?: string;
  help?: ReactNode;
}) {
  const { t } = useTranslation();
  const passphrase: string = Form.useWatch('passphrase') ?? '';
  const level = passphraseStrength(passphrase);
  return (
    <>
      <Form.Item
        name="passphrase"
        label={label ?? t('wallet.passphrase.label')}
        extra={help ?? t('wallet.passphrase.help')}
        rules={[
          { required: true, message: t('wallet.passphrase.required') },
          { min, message: t('wallet.passphrase.tooShort', { min }) },
        ]}
        style={{ marginBottom: passphrase ? 8 : undefined }}
      >
        <Input.Password autoComplete="new-password" data-testid={`${testId}-passphrase`} size="large" />
      </Form.Item>
      {passphrase !== '' && (
        <div style={{ marginBottom: 16 }} aria-live="polite" data-testid="passphrase-strength" data-level={level}>
          <div style={{ display: 'flex', gap: 4, marginBottom: 4 }} aria-hidden>
            {[1, 2, 3, 4].map((step) => (
              <span
                key={step}
                style={{
                  flex: 1,
                  height: 4,
                  borderRadius: 2,
                  background: step <= Math.max(level, 1) ? STRENGTH_COLOURS[level] : '#e6ebe9',
                }}
              />
            ))}
          </div>
          <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
            {t('wallet.passphrase.strength', { level: t(`wallet.passphrase.levels.${level}`) })}
            {level < 3 ? ` · ${t('wallet.passphrase.tip')}` : ''}
          </Typography.Text>
        </div>
      )}
      <Form.Item
        name="confirm"
        label={t('wallet.passphrase.confirm')}
        dependencies={['passphrase']}
        rules={[
          { required: true, message: t('wallet.passphrase.required') },
          ({ getFieldValue }) => ({
            validator: (_, value) =>
              !value || getFieldValue('passphrase') === value
                ? Promise.resolve()
                : Promise.reject(new Error(t('wallet.passphrase.mismatch'))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" data-testid={`${testId}-confirm`} size="large" />
      </Form.Item>
    </>
  );
}

/** A DID in full, wrapped to fit a phone, with a copy button. */
export function DidText({ did, testId }: { did: string; testId: string }) {
  return (
    <Typography.Text
      copyable={{ text: did }}
      code
      style={{ wordBreak: 'break-all', fontSize: 13 }}
      data-testid={testId}
      data-did={did}
    >
      {did}
    </Typography.Text>
  );
}

/** One fact of the account: its name on the left, its value (and action) on the right. */
export function FactRow({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <div
      style={{
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'space-between',
        flexWrap: 'wrap',
        gap: 8,
        padding: '12px 0',
        borderTop: '1px solid #f0f2f1',
      }}
    >
      <Typography.Text type="secondary">{label}</Typography.Text>
      <span style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap', justifyContent: 'flex-end' }}>
        {children}
      </span>
    </div>
  );
}
