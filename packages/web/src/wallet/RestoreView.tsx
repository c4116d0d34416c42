import { useMutation } from '@tanstack/react-query';
import { Button, Form, Input, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { keepAndSignIn, sealNew } from './account';
import { useErrorText } from './errors';
import { PHRASE_WORDS, splitPhrase } from './phrase-words';
import { markBackedUp } from './prefs';
import { ErrorNote, NewPassphraseFields, Panel } from './ui';
import { didOf, MIN_PASSPHRASE_LENGTH } from './vault';

interface RestoreForm {
  phrase: string;
  passphrase: string;
  confirm: string;
}

/** Back from the 24 words: the same key, sealed with a new passphrase for this device. */
export function RestoreView({
  onBack,
  guard,
  onSignedIn,
}: {
  onBack: () => void;
  guard: <T>(work: () => Promise<T>) => Promise<T>;
  onSignedIn: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [phraseError, setPhraseError] = useState<string | null>(null);
  const [form] = Form.useForm<RestoreForm>();
  const phrase: string = Form.useWatch('phrase', form) ?? '';
  const count = splitPhrase(phrase).length;

  // The word lists load with the first check; start fetching them while the words are typed.
  useEffect(() => {
    void import('./phrase').catch(() => undefined);
  }, []);

  /** The phrase's key, or null with the reason shown under the field. */
  const check = async (text: string) => {
    try {
      const { keyFromPhrase } = await import('./phrase');
      const found = keyFromPhrase(text);
      setPhraseError(null);
      return found;
    } catch (failure) {
      setPhraseError(errorText(failure));
      return null;
    }
  };

  const save = useMutation({
    mutationFn: async ({ secretKey, passphrase }: { secretKey: Uint8Array; passphrase: string }) => {
      const key = { did: didOf(secretKey), secretKey };
      await guard(async () => {
        const record = await sealNew(key, passphrase, t('wallet.restore.label'));
        await keepAndSignIn(key, record);
      });
      // Whoever typed the 24 words has them.
      markBackedUp(key.did);
    },
    onSuccess: onSignedIn,
  });
  // Still busy once signed in: the account view takes this one's place.
  const busy = save.isPending || save.isSuccess;
  const error = save.isError ? errorText(save.error) : null;

  const restore = async ({ phrase: text, passphrase }: RestoreForm) => {
    save.reset();
    const found = await check(text);
    if (found === null) {
      form.scrollToField('phrase', { block: 'center' });
      return;
    }
    save.mutate({ secretKey: found.secretKey, passphrase });
  };

  return (
    <Panel title={t('wallet.restore.title')} intro={t('wallet.restore.intro')} onBack={onBack} testId="wallet-restore">
      <Form<RestoreForm> form={form} layout="vertical" onFinish={restore} requiredMark={false} disabled={busy}>
        <Form.Item
          name="phrase"
          label={t('wallet.restore.phrase')}
          validateStatus={phraseError ? 'error' : undefined}
          help={
            phraseError ? (
              <span data-testid="wallet-phrase-error">{phraseError}</span>
            ) : (
              <Typography.Text type={count === PHRASE_WORDS ? 'success' : 'secondary'} style={{ fontSize: 12 }}>
                {t('wallet.restore.wordCount', { count })}
              </Typography.Text>
            )
          }
        >
          <Input.TextArea
            rows={4}
            autoComplete="off"
            autoCorrect="off"
            autoCapitalize="none"
            spellCheck={false}
            placeholder={t('wallet.restore.phrasePlaceholder')}
            data-testid="wallet-restore-phrase"
            onBlur={(event) => {
              if (splitPhrase(event.target.value).length > 0) void check(event.target.value);
            }}
            onChange={() => setPhraseError(null)}
          />
        </Form.Item>
        <NewPassphraseFields
          min={MIN_PASSPHRASE_LENGTH}
          testId="wallet-restore"
          help={t('wallet.restore.passphraseHelp')}
        />
        <ErrorNote text={error} />
        <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="wallet-restore-submit">
          {t('wallet.restore.submit')}
        </Button>
      </Form>
    </Panel>
  );
}
