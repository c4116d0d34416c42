import { CheckCircleFilled, EyeOutlined, WarningOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Radio, Result, Segmented, Skeleton, Space, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsPhone } from '../shared/use-media';
import { useErrorText } from './errors';
import type { PhraseLanguage } from './phrase';
import { markBackedUp } from './prefs';
import { ErrorNote, Panel } from './ui';
import { openRecord, type WalletRecord } from './vault';

const QUESTIONS = 3;
const OPTIONS = 4;

const randomIndex = (below: number): number => {
  const [value] = globalThis.crypto.getRandomValues(new Uint32Array(1));
  return (value ?? 0) % below;
};

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomIndex(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Question {
  /** 0-based position in the phrase. */
  position: number;
  options: string[];
}

/** Three positions, each with the right word and three other words of the same phrase. */
function makeQuiz(words: string[]): Question[] {
  const positions = shuffled(words.map((_, index) => index))
    .slice(0, QUESTIONS)
    .sort((a, b) => a - b);
  return positions.map((position) => {
    const answer = words[position]!;
    const others = shuffled([...new Set(words.filter((word) => word !== answer))]).slice(0, OPTIONS - 1);
    return { position, options: shuffled([answer, ...others]) };
  });
}

/** The 24 words, numbered, in the order to write them down. */
function WordGrid({ words }: { words: string[] }) {
  const phone = useIsPhone();
  return (
    <ol
      data-testid="backup-words"
      style={{
        listStyle: 'none',
        padding: 12,
        margin: '0 0 16px',
        display: 'grid',
        gridTemplateColumns: `repeat(${phone ? 3 : 4}, minmax(0, 1fr))`,
        gap: 8,
        background: '#f7f9f8',
        border: '1px dashed #b7c9c2',
        borderRadius: 8,
        userSelect: 'none',
      }}
    >
      {words.map((word, index) => (
        <li
          // biome-ignore lint/suspicious/noArrayIndexKey: the position is the identity of a word in the phrase.
          key={index}
          style={{
            display: 'flex',
            alignItems: 'baseline',
            gap: 6,
            background: '#fff',
            borderRadius: 6,
            padding: '6px 8px',
            border: '1px solid #e6ebe9',
          }}
        >
          <span style={{ color: '#8a9490', fontSize: 12, minWidth: 16, textAlign: 'end' }}>{index + 1}</span>
          <span
            data-testid={`backup-word-${index + 1}`}
            style={{ fontWeight: 600, fontSize: 16, wordBreak: 'break-all' }}
          >
            {word}
          </span>
        </li>
      ))}
    </ol>
  );
}

/**
 * Backing up the recovery phrase: the passphrase again (unless the key was just made), the 24
 * words, then three of them asked back. Confirmed backups are remembered; until then the wallet nudges.
 */
export function BackupView({
  did,
  record,
  secretKey: given,
  onDone,
  onLater,
  onBack,
}: {
  did: string;
  record?: WalletRecord;
  secretKey?: Uint8Array;
  onDone: () => void;
  onLater?: () => void;
  onBack?: () => void;
}) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [secretKey, setSecretKey] = useState<Uint8Array | null>(given ?? null);
  const [stage, setStage] = useState<'words' | 'quiz' | 'done'>('words');
  const [language, setLanguage] = useState<PhraseLanguage>(i18n.language.startsWith('zh') ? 'zh' : 'en');
  const [error, setError] = useState<string | null>(null);
  const [answers, setAnswers] = useState<Record<number, string>>({});
  // The word lists are a chunk of their own, fetched as this view opens.
  const [phrase, setPhrase] = useState<typeof import('./phrase') | null>(null);
  useEffect(() => {
    let live = true;
    import('./phrase').then(
      (module) => live && setPhrase(module),
      (failure: unknown) => live && setError(errorText(failure)),
    );
    return () => {
      live = false;
    };
  }, [errorText]);
  const words = useMemo(
    () => (secretKey === null || phrase === null ? [] : phrase.phraseOf(secretKey, language)),
    [secretKey, phrase, language],
  );
  const [quiz, setQuiz] = useState<Question[]>([]);
  const phone = useIsPhone();

  const reveal = useMutation({
    mutationFn: ({ sealed, passphrase }: { sealed: WalletRecord; passphrase: string }) =>
      openRecord(sealed, passphrase),
    onMutate: () => setError(null),
    onSuccess: (key) => setSecretKey(key.secretKey),
  });

  const startQuiz = () => {
    setQuiz(makeQuiz(words));
    setAnswers({});
    setError(null);
    setStage('quiz');
  };

  const check = () => {
    if (quiz.some((question) => answers[question.position] === undefined)) {
      setError(t('wallet.backup.quizIncomplete'));
      return;
    }
    if (quiz.every((question) => answers[question.position] === words[question.position])) {
      markBackedUp(did);
      setError(null);
      setStage('done');
    } else {
      setError(t('wallet.backup.quizWrong'));
    }
  };

  if (stage === 'done') {
    return (
      <section style={{ maxWidth: 560, margin: '0 auto', width: '100%' }} data-testid="backup-done">
        <Result
          icon={<CheckCircleFilled style={{ color: '#1f6f5c' }} />}
          title={t('wallet.backup.doneTitle')}
          subTitle={t('wallet.backup.doneText')}
          style={{ background: '#fff', borderRadius: 8, padding: '32px 20px' }}
          extra={
            <Button type="primary" size="large" onClick={onDone} data-testid="backup-continue" autoFocus>
              {t('wallet.backup.continue')}
            </Button>
          }
        />
      </section>
    );
  }

  if (secretKey === null) {
    return (
      <Panel title={t('wallet.backup.title')} intro={t('wallet.backup.intro')} onBack={onBack} testId="wallet-backup">
        <Form
          layout="vertical"
          onFinish={({ passphrase }: { passphrase: string }) => {
            if (record !== undefined) reveal.mutate({ sealed: record, passphrase });
          }}
          requiredMark={false}
          disabled={reveal.isPending}
        >
          <Typography.Paragraph>{t('wallet.backup.unlockIntro')}</Typography.Paragraph>
          <Form.Item
            name="passphrase"
            label={t('wallet.keys.passphrase')}
            rules={[{ required: true, message: t('wallet.passphrase.required') }]}
          >
            <Input.Password autoFocus autoComplete="current-password" size="large" data-testid="backup-passphrase" />
          </Form.Item>
          <ErrorNote text={reveal.isError ? errorText(reveal.error) : error} />
          <Button
            type="primary"
            htmlType="submit"
            block
            size="large"
            icon={<EyeOutlined />}
            loading={reveal.isPending}
            data-testid="backup-reveal"
          >
            {t('wallet.backup.reveal')}
          </Button>
        </Form>
      </Panel>
    );
  }

  if (stage === 'quiz') {
    return (
      <Panel
        title={t('wallet.backup.quizTitle')}
        intro={t('wallet.backup.quizIntro')}
        onBack={() => setStage('words')}
        testId="wallet-backup-quiz"
      >
        {quiz.map((question, index) => (
          <fieldset
            key={question.position}
            data-testid={`backup-question-${index}`}
            data-position={question.position + 1}
            style={{ border: 0, padding: 0, margin: '0 0 16px' }}
          >
            <legend style={{ fontWeight: 600, marginBottom: 8, fontSize: 15 }}>
              {t('wallet.backup.question', { n: question.position + 1 })}
            </legend>
            <Radio.Group
              value={answers[question.position]}
              onChange={(event) => {
                setAnswers({ ...answers, [question.position]: event.target.value as string });
                setError(null);
              }}
              style={{
                display: 'grid',
                gridTemplateColumns: `repeat(${phone ? 2 : 4}, minmax(0, 1fr))`,
                gap: 8,
                width: '100%',
              }}
            >
              {question.options.map((word) => {
                const chosen = answers[question.position] === word;
                return (
                  <Radio
                    key={word}
                    value={word}
                    style={{
                      margin: 0,
                      padding: '8px 10px',
                      borderRadius: 8,
                      border: `1px solid ${chosen ? '#1f6f5c' : '#dfe4e2'}`,
                      background: chosen ? '#eef6f3' : '#fff',
                      fontSize: 16,
                    }}
                  >
                    {word}
                  </Radio>
                );
              })}
            </Radio.Group>
          </fieldset>
        ))}
        <ErrorNote text={error} />
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Button type="primary" block size="large" onClick={check} data-testid="backup-confirm">
            {t('wallet.backup.confirm')}
          </Button>
          <Button type="link" block onClick={() => setStage('words')} data-testid="backup-back-to-words">
            {t('wallet.backup.backToWords')}
          </Button>
        </Space>
      </Panel>
    );
  }

  return (
    <Panel title={t('wallet.backup.title')} intro={t('wallet.backup.intro')} onBack={onBack} testId="wallet-backup">
      <Alert
        type="warning"
        showIcon
        icon={<WarningOutlined />}
        title={t('wallet.backup.warn')}
        style={{ marginBottom: 16 }}
      />
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginBottom: 12 }}>
        <Typography.Text type="secondary">{t('wallet.backup.language')}</Typography.Text>
        <Segmented<PhraseLanguage>
          value={language}
          onChange={setLanguage}
          options={[
            { value: 'zh', label: <span data-testid="backup-language-zh">{t('wallet.backup.zh')}</span> },
            { value: 'en', label: <span data-testid="backup-language-en">{t('wallet.backup.en')}</span> },
          ]}
        />
      </div>
      {words.length === 0 ? <Skeleton active paragraph={{ rows: 6 }} title={false} /> : <WordGrid words={words} />}
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Button
          type="primary"
          block
          size="large"
          onClick={startQuiz}
          disabled={words.length === 0}
          data-testid="backup-next"
        >
          {t('wallet.backup.written')}
        </Button>
        {onLater && (
          <Button type="link" block onClick={onLater} data-testid="backup-later">
            {t('wallet.backup.later')}
          </Button>
        )}
      </Space>
    </Panel>
  );
}
