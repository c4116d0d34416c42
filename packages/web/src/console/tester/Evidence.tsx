import { UploadOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button } from 'antd';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { useErrorText } from '../../shared/error-text';

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
  const errorText = useErrorText('console.expert.errors');
  const input = useRef<HTMLInputElement>(null);
  const uploading = useMutation({
    mutationFn: async (files: File[]) => {
      const added: string[] = [];
      for (const file of files) {
        const stored = await unwrap(
          api.POST('/v1/catalog/images', {
            body: file as never,
            bodySerializer: (body: unknown) => body as BodyInit,
            headers: { 'content-type': file.type },
          }),
        );
        added.push(stored.sha256);
      }
      return added;
    },
    onSuccess: (added) => onChange([...new Set([...hashes, ...added])]),
    // The same file picked again must fire a change.
    onSettled: () => {
      if (input.current) input.current.value = '';
    },
  });
  const upload = (files: FileList | null) => {
    if (files === null || files.length === 0) return;
    uploading.mutate(Array.from(files));
  };

  return (
    <div data-testid="evidence">
      <input
        ref={input}
        type="file"
        accept="image/png,image/jpeg,image/webp"
        multiple
        hidden
        onChange={(e) => upload(e.target.files)}
        data-testid="evidence-file"
      />
      <Button
        icon={<UploadOutlined />}
        loading={uploading.isPending}
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
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
      {uploading.isError && <Alert type="error" showIcon title={errorText(uploading.error)} />}
    </div>
  );
}
