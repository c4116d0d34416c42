import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Popconfirm, Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { useErrorText } from '../../shared/error-text';
import { formatDate, localized } from '../../shared/format';
import { MutationError } from '../../shared/MutationError';
import { ErrorState, Loading } from '../../shared/states';
import { type ModelSummary, type ModelVersion, useModel, useModelUsage } from './queries';

/** One of my models: its versions (deprecate one, or edit the latest as the next) and the products using it. */
export function ModelCard({ model, onEdit }: { model: ModelSummary; onEdit: (version: ModelVersion) => void }) {
  const { t, i18n } = useTranslation();
  const detail = useModel(model.id);
  const usage = useModelUsage(model.id, model.category);
  const latest = detail.data?.versions.reduce<ModelVersion | undefined>(
    (best, v) => (best === undefined || v.version > best.version ? v : best),
    undefined,
  );
  return (
    <section
      data-testid={`model-${model.id}`}
      style={{ background: '#fff', border: '1px solid #eef1f0', borderRadius: 10, padding: 16, marginBottom: 12 }}
    >
      <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, flexWrap: 'wrap' }}>
        <div>
          <h3 style={{ margin: 0, fontSize: 16 }}>{localized(model.name, i18n.language)}</h3>
          <div style={{ color: '#5b6b66', fontSize: 13 }}>
            <code>{model.id}</code> · {model.category} · {model.standards.join('、')}
          </div>
        </div>
        <Button
          type="primary"
          ghost
          disabled={latest === undefined}
          onClick={() => latest && onEdit(latest)}
          data-testid={`edit-${model.id}`}
        >
          {t('console.expert.models.newVersion', { version: model.latestVersion + 1 })}
        </Button>
      </div>
      {detail.isPending ? (
        <Loading rows={2} />
      ) : detail.isError ? (
        <ErrorState error={detail.error} retry={() => void detail.refetch()} />
      ) : (
        <ul style={{ listStyle: 'none', padding: 0, margin: '12px 0 0' }}>
          {[...detail.data.versions]
            .sort((a, b) => b.version - a.version)
            .map((v) => (
              <VersionRow key={v.version} modelId={model.id} version={v} />
            ))}
        </ul>
      )}
      <h4 style={{ margin: '12px 0 4px', fontSize: 14 }}>{t('console.expert.models.usage')}</h4>
      {usage.isPending ? (
        <Loading rows={1} />
      ) : usage.isError ? (
        <ErrorState error={usage.error} retry={() => void usage.refetch()} />
      ) : usage.data.length === 0 ? (
        <p style={{ color: '#5b6b66', margin: 0 }} data-testid={`usage-${model.id}`}>
          {t('console.expert.models.unused')}
        </p>
      ) : (
        <ul style={{ margin: 0, paddingLeft: 18 }} data-testid={`usage-${model.id}`}>
          {usage.data.map((p) => (
            <li key={p.id}>
              <Link href={`/products/${p.id}`}>
                {localized(p.title as { zh: string; en?: string | null }, i18n.language)}
              </Link>{' '}
              <Tag>v{p.model.version}</Tag>
              <Tag color={p.verdict === 'passed' ? 'green' : p.verdict === 'failed' ? 'red' : undefined}>
                {t(`console.expert.verdicts.${p.verdict}`)}
              </Tag>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function VersionRow({ modelId, version: v }: { modelId: string; version: ModelVersion }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText('console.expert.errors');
  const queryClient = useQueryClient();
  const deprecate = useMutation({
    mutationFn: async () => {
      const { submitEvent } = await import('../../session/signer');
      return submitEvent('catalog.model.deprecated', { modelId, version: v.version });
    },
    // Awaited, so the button stays busy until the version shows as deprecated.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['expert'] }),
  });

  return (
    <li
      data-testid={`version-${modelId}-${v.version}`}
      style={{ padding: '8px 0', borderTop: '1px solid #f2f4f3', display: 'flex', gap: 8, flexWrap: 'wrap' }}
    >
      <strong>v{v.version}</strong>
      <Tag color={v.status === 'published' ? 'green' : 'default'} data-testid="version-status">
        {t(`console.expert.status.${v.status}`)}
      </Tag>
      <span style={{ color: '#5b6b66' }}>
        {t('console.expert.models.publishedAt', { date: formatDate(v.publishedAt, i18n.language) })}
        {' · '}
        {t('console.expert.models.attributeCount', { count: v.definition.attributes.length })}
      </span>
      <Space style={{ marginLeft: 'auto' }}>
        {v.status === 'published' && (
          <Popconfirm
            title={t('console.expert.models.deprecateConfirm', { version: v.version })}
            onConfirm={() => deprecate.mutate()}
            okText={t('console.expert.models.deprecate')}
            cancelText={t('console.expert.editor.cancel')}
          >
            <Button size="small" danger loading={deprecate.isPending} data-testid={`deprecate-${modelId}-${v.version}`}>
              {t('console.expert.models.deprecate')}
            </Button>
          </Popconfirm>
        )}
      </Space>
      <MutationError mutation={deprecate} text={errorText} style={{ width: '100%' }} />
    </li>
  );
}
