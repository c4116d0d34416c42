import { PlusOutlined } from '@ant-design/icons';
import { validateQualityModel } from '@concord/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Col, Input, message, Row, Select } from 'antd';
import { type ReactNode, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { idempotencyKey } from '../../api/client';
import { useErrorText } from '../../shared/error-text';
import { localized } from '../../shared/format';
import { MutationError } from '../../shared/MutationError';
import { AttributeEditor } from './AttributeEditor';
import { definitionOf, draftIssues, emptyAttribute, type ModelDraft, moveItem } from './editor-state';
import { ModelPreview } from './ModelPreview';
import { useCategories } from './queries';

interface Props {
  initial: ModelDraft;
  /** The version this publishes: 1 for a new model, latest + 1 for an existing one. */
  version: number;
  onPublished: (modelId: string) => void;
  onCancel: () => void;
}

function Labelled({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child
    <label style={{ display: 'block', marginBottom: 10 }}>
      <span style={{ display: 'block', fontSize: 13, color: '#5b6b66', marginBottom: 2 }}>{label}</span>
      {children}
    </label>
  );
}

/** Edits a quality model and publishes it as a new, immutable version, checked live by the protocol's rules. */
export function ModelEditor({ initial, version, onPublished, onCancel }: Props) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText('console.expert.errors');
  const queryClient = useQueryClient();
  const categories = useCategories();
  const [draft, setDraft] = useState<ModelDraft>(initial);
  const [dirty, setDirty] = useState(false);
  const [key] = useState(() => idempotencyKey('model'));
  const issues = useMemo(() => draftIssues(draft), [draft]);
  const shown = dirty ? issues : [];
  const general = shown.filter((issue) => issue.attribute === null);
  const isNew = version === 1;

  const publishing = useMutation({
    mutationFn: async (sent: ModelDraft) => {
      const definition = validateQualityModel(definitionOf(sent), 'definition');
      const { submitEvent } = await import('../../session/signer');
      return submitEvent(
        'catalog.model.published',
        { modelId: sent.modelId, version, definition: definition as unknown as Record<string, unknown> },
        key,
      );
    },
    onSuccess: async (_, sent) => {
      message.success(t('console.expert.editor.published', { id: sent.modelId, version }));
      await queryClient.invalidateQueries({ queryKey: ['expert'] });
      onPublished(sent.modelId);
    },
  });

  const update = (patch: Partial<ModelDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
    // The error was about the draft as it was; a publish still in flight keeps its spinner.
    if (publishing.isError) publishing.reset();
  };
  const publish = () => {
    setDirty(true);
    if (issues.length > 0) return;
    publishing.mutate(draft);
  };

  return (
    <div data-testid="model-editor">
      <h3 style={{ margin: '0 0 4px' }}>
        {isNew
          ? t('console.expert.editor.newTitle')
          : t('console.expert.editor.versionTitle', { id: draft.modelId, version })}
      </h3>
      <p style={{ color: '#5b6b66', marginTop: 0 }}>{t('console.expert.editor.immutable')}</p>
      <Row gutter={[24, 16]}>
        <Col xs={24} lg={14}>
          <Labelled label={t('console.expert.editor.modelId')}>
            <Input
              value={draft.modelId}
              disabled={!isNew}
              onChange={(e) => update({ modelId: e.target.value })}
              placeholder="soybean-oil-gbt1535"
              data-testid="model-id"
            />
          </Labelled>
          <Row gutter={8}>
            <Col xs={24} sm={12}>
              <Labelled label={t('console.expert.editor.nameZh')}>
                <Input
                  value={draft.nameZh}
                  onChange={(e) => update({ nameZh: e.target.value })}
                  data-testid="name-zh"
                />
              </Labelled>
            </Col>
            <Col xs={24} sm={12}>
              <Labelled label={t('console.expert.editor.nameEn')}>
                <Input
                  value={draft.nameEn}
                  onChange={(e) => update({ nameEn: e.target.value })}
                  data-testid="name-en"
                />
              </Labelled>
            </Col>
          </Row>
          <Labelled label={t('console.expert.editor.category')}>
            <Select
              value={draft.category || undefined}
              onChange={(category) => update({ category })}
              loading={categories.isPending}
              style={{ width: '100%' }}
              showSearch
              optionFilterProp="label"
              data-testid="model-category"
              options={(categories.data?.items ?? []).map((c) => ({
                value: c.slug,
                label: `${localized(c.name, i18n.language)} (${c.slug})`,
              }))}
            />
          </Labelled>
          <Labelled label={t('console.expert.editor.standards')}>
            <Select
              mode="tags"
              value={draft.standards}
              onChange={(standards) => update({ standards })}
              open={false}
              tokenSeparators={[',', '，']}
              placeholder={t('console.expert.editor.standardsHint')}
              style={{ width: '100%' }}
              data-testid="model-standards"
            />
          </Labelled>
          <Labelled label={t('console.expert.editor.description')}>
            <Input.TextArea
              value={draft.description}
              onChange={(e) => update({ description: e.target.value })}
              autoSize={{ minRows: 2, maxRows: 6 }}
              data-testid="model-description"
            />
          </Labelled>
          {general.length > 0 && (
            <Alert
              type="error"
              showIcon
              style={{ marginBottom: 12 }}
              data-testid="model-issues"
              title={
                <ul style={{ margin: 0, paddingLeft: 16 }}>
                  {general.map((issue) => (
                    <li key={`${issue.field}-${issue.message}`}>
                      {issue.field === 'modelId' ? (
                        t('console.expert.editor.badModelId')
                      ) : (
                        <>
                          <code>{issue.field || t('console.expert.editor.wholeModel')}</code>: {issue.message}
                        </>
                      )}
                    </li>
                  ))}
                </ul>
              }
            />
          )}
          <h4>{t('console.expert.editor.attributes')}</h4>
          {draft.attributes.map((attribute, index) => (
            <AttributeEditor
              key={attribute.uid}
              index={index}
              count={draft.attributes.length}
              attribute={attribute}
              issues={shown.filter((issue) => issue.attribute === index)}
              onChange={(next) => update({ attributes: draft.attributes.map((a, i) => (i === index ? next : a)) })}
              onMove={(to) => update({ attributes: moveItem(draft.attributes, index, to) })}
              onRemove={() => update({ attributes: draft.attributes.filter((_, i) => i !== index) })}
            />
          ))}
          <Button
            icon={<PlusOutlined />}
            onClick={() => update({ attributes: [...draft.attributes, emptyAttribute()] })}
            data-testid="add-attribute"
          >
            {t('console.expert.editor.addAttribute')}
          </Button>
        </Col>
        <Col xs={24} lg={10}>
          <div style={{ position: 'sticky', top: 16, background: '#fafbfb', padding: 12, borderRadius: 8 }}>
            <h4 style={{ marginTop: 0 }}>{t('console.expert.preview.title')}</h4>
            <ModelPreview draft={draft} />
          </div>
        </Col>
      </Row>
      <MutationError mutation={publishing} text={errorText} style={{ marginTop: 12 }} testId="publish-error" />
      <div style={{ display: 'flex', gap: 8, marginTop: 16, flexWrap: 'wrap' }}>
        <Button
          type="primary"
          loading={publishing.isPending}
          onClick={publish}
          disabled={dirty && issues.length > 0}
          data-testid="publish-model"
        >
          {t('console.expert.editor.publish', { version })}
        </Button>
        <Button onClick={onCancel} data-testid="cancel-edit">
          {t('console.expert.editor.cancel')}
        </Button>
        {dirty && issues.length > 0 && (
          <span style={{ color: '#cf1322', alignSelf: 'center' }} data-testid="issue-count">
            {t('console.expert.editor.issueCount', { count: issues.length })}
          </span>
        )}
      </div>
    </div>
  );
}
