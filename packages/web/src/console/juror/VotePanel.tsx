import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Radio, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Session } from '../../session/session-store';
import { useErrorText } from '../../shared/error-text';
import { formatDateTime } from '../../shared/format';
import { MutationError } from '../../shared/MutationError';
import { type AppealInstance, jurorKeys } from './queries';
import { forgetVote, loadVote, saveVote } from './salt-store';

type Choice = 'uphold' | 'overturn';

/**
 * The juror's vote by commit–reveal: the vote and a fresh salt are kept in this browser and only
 * their hash (protocol voteCommit) is sent before the commit deadline; in the reveal window the
 * kept vote and salt are sent, and the server checks they open the hash.
 */
export function VotePanel({
  session,
  appeal,
  next,
}: {
  session: Session;
  appeal: AppealInstance;
  next: 'commit' | 'reveal' | 'wait' | 'done';
}) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const errorText = useErrorText('account.errors');
  const [choice, setChoice] = useState<Choice | null>(null);
  const [, rerender] = useState(0);
  const { caseId, instance } = appeal;
  const stored = loadVote(session.did, caseId, instance);
  const language = i18n.language;

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: jurorKeys.mine(session.did) }),
      queryClient.invalidateQueries({ queryKey: jurorKeys.appeal(caseId) }),
    ]);

  // Committing and revealing are one action in two steps: they share the busy button and the error line.
  const step = useMutation({
    mutationFn: async (
      next: { step: 'commit'; choice: Choice } | { step: 'reveal'; kept: NonNullable<typeof stored> },
    ) => {
      if (next.step === 'reveal') {
        const { submitEvent } = await import('../../session/signer');
        await submitEvent('consensus.jury.revealed', { caseId, instance, vote: next.kept.vote, salt: next.kept.salt });
        forgetVote(session.did, caseId, instance);
        return;
      }
      const [{ juryRoundId, nobleCrypto, toHex, voteCommit }, { submitEvent }] = await Promise.all([
        import('@concord/protocol'),
        import('../../session/signer'),
      ]);
      // A vote kept earlier (a commit whose answer was lost) is sent again as it was.
      const kept = stored?.vote === next.choice ? stored : null;
      const salt = kept?.salt ?? toHex(nobleCrypto.randomBytes(32));
      const hash = voteCommit({ round: juryRoundId(caseId, instance), juror: session.did, vote: next.choice }, salt);
      saveVote(session.did, caseId, instance, {
        vote: next.choice,
        salt,
        commit: hash,
        savedAt: new Date().toISOString(),
      });
      await submitEvent('consensus.jury.committed', { caseId, instance, commit: hash });
    },
    onSuccess: refresh,
    // The kept vote lives in localStorage, which React does not watch.
    onSettled: () => rerender((n) => n + 1),
  });
  const busy = step.isPending;
  const commit = () => {
    if (choice !== null) step.mutate({ step: 'commit', choice });
  };
  const reveal = () => {
    if (stored !== null) step.mutate({ step: 'reveal', kept: stored });
  };

  const deadlines = (
    <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
      {appeal.commitDeadline &&
        t('console.juror.vote.commitBy', { at: formatDateTime(appeal.commitDeadline, language) })}
      {appeal.revealDeadline &&
        ` · ${t('console.juror.vote.revealBy', { at: formatDateTime(appeal.revealDeadline, language) })}`}
    </Typography.Paragraph>
  );

  return (
    <Card size="small" title={t('console.juror.vote.title')} data-testid="vote-panel">
      {next === 'commit' && (
        <>
          <Typography.Paragraph>{t('console.juror.vote.question')}</Typography.Paragraph>
          <Radio.Group
            value={choice}
            onChange={(event) => setChoice(event.target.value as Choice)}
            data-testid="vote-choice"
          >
            <Space orientation="vertical">
              <Radio value="uphold" data-testid="vote-uphold">
                {t('console.juror.vote.uphold', { verdict: t(`console.juror.verdict.${appeal.verdictAppealed}`) })}
              </Radio>
              <Radio value="overturn" data-testid="vote-overturn">
                {t('console.juror.vote.overturn', { verdict: t(`console.juror.verdict.${appeal.verdictAppealed}`) })}
              </Radio>
            </Space>
          </Radio.Group>
          <Alert type="warning" showIcon style={{ margin: '12px 0' }} title={t('console.juror.vote.saltWarning')} />
          <Button type="primary" disabled={choice === null} loading={busy} onClick={commit} data-testid="vote-commit">
            {t('console.juror.vote.commit')}
          </Button>
        </>
      )}
      {next === 'wait' && (
        <Alert
          type="info"
          showIcon
          data-testid="vote-committed"
          title={t('console.juror.vote.committed')}
          description={
            stored
              ? t('console.juror.vote.keptHere', { vote: t(`console.juror.vote.choice.${stored.vote}`) })
              : t('console.juror.vote.notHere')
          }
        />
      )}
      {next === 'reveal' &&
        (stored ? (
          <>
            <Typography.Paragraph>
              {t('console.juror.vote.revealText', { vote: t(`console.juror.vote.choice.${stored.vote}`) })}
            </Typography.Paragraph>
            <Button type="primary" loading={busy} onClick={reveal} data-testid="vote-reveal">
              {t('console.juror.vote.reveal')}
            </Button>
          </>
        ) : (
          <Alert type="error" showIcon title={t('console.juror.vote.lost')} data-testid="vote-lost" />
        ))}
      {next === 'done' && (
        <Typography.Paragraph data-testid="vote-done">{t('console.juror.vote.done')}</Typography.Paragraph>
      )}
      {deadlines}
      <MutationError mutation={step} text={errorText} style={{ marginTop: 8 }} testId="vote-error" />
    </Card>
  );
}
