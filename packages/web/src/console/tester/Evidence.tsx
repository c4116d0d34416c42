import { UploadOutlined } from '@ant-design/icons';
import { Alert, Button } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { useErrorText } from '../expert/errors';

/** Photos of the test (the lab sheet, the sample): uploaded, and named in the report by their SHA-256. */
export function Evidence({
  hashes,
  onChange,
  disabled,
}: {
  hashes: string[];
  onChange: (next: string[]) => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function upload(files: FileList | null) {
    if (files === null || files.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const added: string[] = [];
      for (const file of Array.from(files)) {
        const stored = await unwrap(
          api.POST('/v1/catalog/images', {
            body: file as never,
            bodySerializer: (body: unknown) => body as BodyInit,
            headers: { 'content-type': file.type },
          }),
        );
        added.push(stored.sha256);
      }
      onChange([...new Set([...hashes, ...added])]);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  }

  return (
    <div data-testid="evidence">
      <input
        ref={input}
        type="file"
        accept="image/png,image/jpeg,image/webp"
        multiple
        hidden
        onChange={(e) => void upload(e.target.files)}
        data-testid="evidence-file"
      />
      <Button icon={<UploadOutlined />} loading={busy} disabled={disabled} onClick={() => input.current?.click()}>
        {t('console.tester.report.addEvidence')}
      </Button>
      <ul style={{ margin: '6px 0 0', paddingLeft: 18 }}>
        {hashes.map((hash) => (
          <li key={hash}>
            <code style={{ fontSize: 11, wordBreak: 'break-all' }}>{hash}</code>{' '}
            <Button
              type="link"
              size="small"
              disabled={disabled}
              onClick={() => onChange(hashes.filter((h) => h !== hash))}
            >
              {t('console.tester.report.removeEvidence')}
            </Button>
          </li>
        ))}
      </ul>
      {error !== null && <Alert type="error" showIcon title={error} />}
    </div>
  );
}
