import { useMutation } from '@tanstack/react-query';
import { Button, Form, Input } from 'antd';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { keepAndSignIn, sealNew } from './account';
import { useErrorText } from './errors';
import { ErrorNote, NewPassphraseFields, Panel } from './ui';
import { MIN_PASSPHRASE_LENGTH, newKey, type OpenedKey } from './vault';

interface CreateForm {
  name?: string;
  passphrase: string;
  confirm: string;
}

/** A new self-held key: made here, sealed with the passphrase, kept on this device, registered. */
export function CreateView({
  onBack,
  guard,
  onCreated,
}: {
  onBack: () => void;
  guard: <T>(work: () => Promise<T>) => Promise<T>;
  onCreated: (key: OpenedKey) => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  // One key per visit to this form: a retry after a network error does not make a second one.
  const key = useRef<OpenedKey | null>(null);
  const create = useMutation({
    mutationFn: async ({ name, passphrase }: CreateForm) => {
      key.current ??= newKey();
      const opened = key.current;
      const label = name?.trim() || t('wallet.create.label');
      await guard(async () => {
        const record = await sealNew(opened, passphrase, label);
        await keepAndSignIn(opened, record, { displayName: name, isNew: true });
      });
      return opened;
    },
    onSuccess: onCreated,
  });
  // Still busy once created: the next step takes this form's place.
  const busy = create.isPending || create.isSuccess;
  const error = create.isError ? errorText(create.error) : null;

  return (
    <Panel title={t('wallet.create.title')} intro={t('wallet.create.intro')} onBack={onBack} testId="wallet-create">
      <Form<CreateForm>
        layout="vertical"
        onFinish={(values) => create.mutate(values)}
        requiredMark={false}
        disabled={busy}
      >
        <Form.Item name="name" label={t('wallet.create.name')} rules={[{ max: 40 }]}>
          <Input
            placeholder={t('wallet.create.namePlaceholder')}
            autoComplete="nickname"
            maxLength={40}
            size="large"
            data-testid="wallet-create-name"
          />
        </Form.Item>
        <NewPassphraseFields min={MIN_PASSPHRASE_LENGTH} testId="wallet-create" />
        <ErrorNote text={error} />
        <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="wallet-create-submit">
          {busy ? t('wallet.create.working') : t('wallet.create.submit')}
        </Button>
      </Form>
    </Panel>
  );
}
