import { InputNumber, Select, Switch, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ModelDraft } from './editor-state';

/**
 * What a product page will show of this model: the producer's claim form (one field per
 * attribute, in its unit and bounds) and the trust table's columns, before anything is claimed.
 */
export function ModelPreview({ draft }: { draft: ModelDraft }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  const label = (a: ModelDraft['attributes'][number]) => (zh ? a.labelZh : a.labelEn || a.labelZh) || a.key || '—';
  return (
    <div data-testid="model-preview">
      <h4 style={{ margin: '0 0 4px' }}>{(zh ? draft.nameZh : draft.nameEn || draft.nameZh) || '—'}</h4>
      <div style={{ marginBottom: 8 }}>
        {draft.standards.map((s) => (
          <Tag key={s}>{s}</Tag>
        ))}
      </div>
      <h5 style={{ margin: '8px 0 4px', color: '#5b6b66' }}>{t('console.expert.preview.claimForm')}</h5>
      <div style={{ display: 'grid', gap: 8 }}>
        {draft.attributes.map((a) => (
          <div key={a.uid} style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap' }}>
            <span style={{ minWidth: 120 }}>
              {label(a)}
              {a.mandatory && <span style={{ color: '#cf1322' }}> *</span>}
            </span>
            {a.kind === 'numeric' && (
              <InputNumber
                disabled
                min={a.min ?? undefined}
                max={a.max ?? undefined}
                suffix={a.unit || undefined}
                placeholder={a.min !== null && a.max !== null ? `${a.min}–${a.max}` : ''}
                style={{ width: 200 }}
                aria-label={label(a)}
              />
            )}
            {a.kind === 'boolean' && <Switch disabled aria-label={label(a)} />}
            {a.kind === 'grade' && (
              <Select
                disabled
                style={{ width: 200 }}
                placeholder={a.grades.join(' > ')}
                options={a.grades.map((g) => ({ value: g, label: g }))}
                aria-label={label(a)}
              />
            )}
          </div>
        ))}
      </div>
      <h5 style={{ margin: '12px 0 4px', color: '#5b6b66' }}>{t('console.expert.preview.trustTable')}</h5>
      <Table
        size="small"
        pagination={false}
        rowKey="uid"
        scroll={{ x: true }}
        dataSource={draft.attributes}
        columns={[
          {
            title: t('console.expert.preview.attribute'),
            render: (_, a) => (
              <>
                {label(a)}
                {a.mandatory && (
                  <Tag color="red" style={{ marginLeft: 4 }}>
                    {t('console.expert.preview.yes')}
                  </Tag>
                )}
                <div style={{ color: '#5b6b66', fontSize: 11 }}>{a.testMethod}</div>
              </>
            ),
          },
          {
            title: t('console.expert.preview.claimed'),
            render: (_, a) => (a.kind === 'numeric' ? `— ${a.unit}` : '—'),
          },
          { title: t('console.expert.preview.consensus'), render: () => '—' },
          {
            title: t('console.expert.preview.tolerance'),
            render: (_, a) =>
              a.kind === 'grade'
                ? t('console.expert.preview.gradeSteps', { count: a.tolerance ?? 0 })
                : `± ${a.tolerance ?? '—'} ${a.kind === 'numeric' ? a.unit : ''}`,
          },
        ]}
      />
    </div>
  );
}
