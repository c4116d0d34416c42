import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Space } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { idempotencyKey } from '../../api/client';
import { useErrorText } from '../../shared/error-text';
import { formatDateTime } from '../../shared/format';
import type { MyRound } from './queries';
import { downloadReport, loadReport, readBackup, type SavedReport, saveReport } from './salt-store';

/**
 * After committing: the report kept in this browser, its backup, and the reveal (the report and the
 * salt, signed) once the commit deadline has passed.
 */
export function RevealPanel({ did, round }: { did: string; round: MyRound }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText('console.expert.errors');
  const queryClient = useQueryClient();
  const file = useRef<HTMLInputElement>(null);
  const [saved, setSaved] = useState<SavedReport | null>(() => loadReport(did, round.id));
  const [badBackup, setBadBackup] = useState(false);
  const [key] = useState(() => idempotencyKey('reveal'));
  const canReveal = round.next.step === 'reveal';
  const revealing = useMutation({
    mutationFn: async (kept: SavedReport) => {
      const { submitEvent } = await import('../../session/signer');
      const receipt = await submitEvent(
        'consensus.report.revealed',
        { roundId: round.id, report: kept.report as unknown as Record<string, unknown>, salt: kept.salt },
        key,
      );
      return (receipt as { result?: { status?: string } }).result?.status ?? 'valid';
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tester'] }),
  });
  const result = revealing.data ?? null;
  // One alert tells of what was tried last: reading a backup, or revealing.
  const error = badBackup ? t('console.tester.salt.badBackup') : revealing.isError ? errorText(revealing.error) : null;

  async function restore(files: FileList | null) {
    const chosen = files?.[0];
    if (chosen === undefined) return;
    try {
      const backup = await readBackup(chosen, did, round.id);
      saveReport(did, round.id, backup);
      setSaved(backup);
      setBadBackup(false);
      if (revealing.isError) revealing.reset();
    } catch {
      setBadBackup(true);
    }
  }

  const reveal = () => {
    if (saved === null) return;
    setBadBackup(false);
    revealing.mutate(saved);
  };

  return (
    <div data-testid="reveal-panel">
      {saved === null ? (
        <Alert type="error" showIcon title={t('console.tester.salt.lost')} data-testid="salt-lost" />
      ) : (
        <>
          <Alert
            type={canReveal ? 'success' : 'info'}
            showIcon
            data-testid="salt-kept"
            title={
              canReveal
                ? t('console.tester.salt.readyToReveal')
                : t('console.tester.salt.kept', { date: formatDateTime(round.commitDeadline, i18n.language) })
            }
            description={t('console.tester.salt.clearing')}
          />
          <Descriptions
            size="small"
            column={1}
            style={{ marginTop: 8 }}
            items={[
              ...Object.entries(saved.report.values).map(([k, v]) => ({
                key: k,
                label: k,
                children: String(v),
              })),
              {
                key: 'commit',
                label: t('console.tester.salt.commit'),
                children: <code>{saved.commit.slice(0, 16)}…</code>,
              },
            ]}
          />
        </>
      )}
      <Space wrap style={{ marginTop: 8 }}>
        {saved !== null && (
          <Button icon={<DownloadOutlined />} onClick={() => downloadReport(round.id, saved)} data-testid="backup">
            {t('console.tester.salt.download')}
          </Button>
        )}
        <Button icon={<UploadOutlined />} onClick={() => file.current?.click()} data-testid="restore">
          {t('console.tester.salt.restore')}
        </Button>
        <input
          ref={file}
          type="file"
          accept="application/json"
          hidden
          onChange={(e) => void restore(e.target.files)}
          data-testid="restore-file"
        />
        <Button
          type="primary"
          disabled={!canReveal || saved === null}
          loading={revealing.isPending}
          onClick={reveal}
          data-testid="reveal"
        >
          {t('console.tester.report.reveal')}
        </Button>
      </Space>
      {result !== null && (
        <Alert
          type={result === 'valid' ? 'success' : 'warning'}
          showIcon
          style={{ marginTop: 8 }}
          title={t(`console.tester.revealStatus.${result}`)}
          data-testid="reveal-result"
        />
      )}
      {error !== null && <Alert type="error" showIcon title={error} style={{ marginTop: 8 }} />}
    </div>
  );
}
