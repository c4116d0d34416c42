import { nobleCrypto, reportCommit, type TestReport, toHex } from '@concord/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, idempotencyKey } from '../../api/client';
import { useErrorText } from '../../shared/error-text';
import { MutationError } from '../../shared/MutationError';
import { ErrorState, Loading } from '../../shared/states';
import { Evidence } from './Evidence';
import { type MyRound, useModelAttributes } from './queries';
import { type Measured, ReportFields } from './ReportFields';
import { forgetReport, loadReport, type SavedReport, saveReport } from './salt-store';

/**
 * The guided report: a value per attribute, evidence and a note. Committing keeps the report and
 * a fresh salt in this browser first, then signs only their hash; nothing else leaves it.
 */
export function CommitForm({ did, round, onCommitted }: { did: string; round: MyRound; onCommitted: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText('console.expert.errors');
  const queryClient = useQueryClient();
  const model = useModelAttributes(round.model.id, round.model.version);
  const [values, setValues] = useState<Measured>({});
  const [evidence, setEvidence] = useState<string[]>([]);
  const [text, setText] = useState('');
  const [key, setKey] = useState(() => idempotencyKey('commit'));
  const committing = useMutation({
    mutationFn: async ({ orderId, report }: { orderId: string; report: TestReport }) => {
      // A report committed earlier from this browser (a retry after a failed submission) is reused:
      // the commit on the log must be the one whose salt is kept here.
      let saved: SavedReport | null = loadReport(did, round.id);
      if (saved === null) {
        const salt = toHex(nobleCrypto.randomBytes(32));
        saved = { report, salt, commit: reportCommit(report, salt), savedAt: new Date().toISOString() };
        saveReport(did, round.id, saved);
      }
      const { submitEvent } = await import('../../session/signer');
      return submitEvent('consensus.report.committed', { roundId: round.id, orderId, commit: saved.commit }, key);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['tester'] });
      onCommitted();
    },
    onError: (caught) => {
      // Unless the answer was lost (network, server error) the commit was not recorded: the next
      // try may make a new report. After a lost answer the same report, salt and key are retried.
      const unknownOutcome = caught instanceof ApiError && (caught.status === 0 || caught.status >= 500);
      const committed = caught instanceof ApiError && caught.code === 'already_committed';
      if (!unknownOutcome && !committed) {
        forgetReport(did, round.id);
        setKey(idempotencyKey('commit'));
      }
    },
  });
  const busy = committing.isPending;
  if (model.isPending) return <Loading rows={3} />;
  if (model.isError) return <ErrorState error={model.error} retry={() => void model.refetch()} />;
  const attributes = model.data.attributes;
  const missing = attributes.filter((a) => values[a.key] === undefined || values[a.key] === null);

  const commit = () => {
    if (missing.length > 0 || round.next.orderId === null) return;
    committing.mutate({
      orderId: round.next.orderId,
      report: {
        round: round.id,
        tester: did,
        values: Object.fromEntries(attributes.map((a) => [a.key, values[a.key] as number | boolean | string])),
        evidence,
        text: text.trim(),
      },
    });
  };

  return (
    <div data-testid="commit-form">
      <Alert type="info" showIcon title={t('console.tester.report.commitExplain')} style={{ marginBottom: 12 }} />
      <ReportFields attributes={attributes} values={values} onChange={setValues} disabled={busy} />
      <h5 style={{ margin: '12px 0 4px' }}>{t('console.tester.report.evidence')}</h5>
      <Evidence hashes={evidence} onChange={setEvidence} disabled={busy} />
      <h5 style={{ margin: '12px 0 4px' }}>
        <label htmlFor="report-text">{t('console.tester.report.text')}</label>
      </h5>
      <Input.TextArea
        id="report-text"
        value={text}
        onChange={(e) => setText(e.target.value)}
        maxLength={5000}
        autoSize={{ minRows: 2, maxRows: 6 }}
        disabled={busy}
        data-testid="report-text"
      />
      <Alert type="warning" showIcon title={t('console.tester.salt.warning')} style={{ margin: '12px 0' }} />
      <MutationError mutation={committing} text={errorText} style={{ marginBottom: 8 }} testId="commit-error" />
      <Button
        type="primary"
        loading={busy}
        disabled={missing.length > 0 || round.next.orderId === null}
        onClick={commit}
        data-testid="commit"
      >
        {t('console.tester.report.commit')}
      </Button>
      {missing.length > 0 && (
        <span style={{ marginLeft: 8, color: '#5b6b66' }}>
          {t('console.tester.report.missing', { count: missing.length })}
        </span>
      )}
    </div>
  );
}
