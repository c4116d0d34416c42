import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined } from '@ant-design/icons';
import { Alert, Button, Checkbox, Input, InputNumber, Select, Space } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttributeDraft, DraftIssue } from './editor-state';

interface Props {
  index: number;
  count: number;
  attribute: AttributeDraft;
  issues: DraftIssue[];
  onChange: (next: AttributeDraft) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}

function Field({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child
    <label style={{ display: 'block', gridColumn: wide ? '1 / -1' : undefined }}>
      <span style={{ display: 'block', fontSize: 12, color: '#5b6b66', marginBottom: 2 }}>{label}</span>
      {children}
    </label>
  );
}

/** One attribute of the model: its key, labels, kind and bounds, tolerance, weight and method. */
export function AttributeEditor({ index, count, attribute: a, issues, onChange, onMove, onRemove }: Props) {
  const { t } = useTranslation();
  const set = (patch: Partial<AttributeDraft>) => onChange({ ...a, ...patch });
  const id = `attr-${index}`;
  return (
    <fieldset
      data-testid={id}
      style={{
        border: `1px solid ${issues.length > 0 ? '#ffccc7' : '#eef1f0'}`,
        borderRadius: 8,
        padding: 12,
        margin: '0 0 12px',
        background: '#fff',
      }}
    >
      <legend style={{ fontSize: 13, fontWeight: 600, padding: '0 4px', width: 'auto', margin: 0, border: 0 }}>
        {t('console.expert.editor.attribute', { n: index + 1 })}
      </legend>
      <div style={{ display: 'flex', justifyContent: 'flex-end', marginBottom: 8 }}>
        <Space size={4}>
          <Button
            size="small"
            icon={<ArrowUpOutlined />}
            disabled={index === 0}
            onClick={() => onMove(index - 1)}
            aria-label={t('console.expert.editor.moveUp')}
            data-testid={`${id}-up`}
          />
          <Button
            size="small"
            icon={<ArrowDownOutlined />}
            disabled={index === count - 1}
            onClick={() => onMove(index + 1)}
            aria-label={t('console.expert.editor.moveDown')}
            data-testid={`${id}-down`}
          />
          <Button
            size="small"
            danger
            icon={<DeleteOutlined />}
            disabled={count === 1}
            onClick={onRemove}
            aria-label={t('console.expert.editor.remove')}
            data-testid={`${id}-remove`}
          />
        </Space>
      </div>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(min(180px, 100%), 1fr))', gap: 8 }}>
        <Field label={t('console.expert.editor.key')}>
          <Input value={a.key} onChange={(e) => set({ key: e.target.value })} data-testid={`${id}-key`} />
        </Field>
        <Field label={t('console.expert.editor.labelZh')}>
          <Input value={a.labelZh} onChange={(e) => set({ labelZh: e.target.value })} data-testid={`${id}-label-zh`} />
        </Field>
        <Field label={t('console.expert.editor.labelEn')}>
          <Input value={a.labelEn} onChange={(e) => set({ labelEn: e.target.value })} data-testid={`${id}-label-en`} />
        </Field>
        <Field label={t('console.expert.editor.kind')}>
          <Select
            value={a.kind}
            onChange={(kind) => set({ kind })}
            style={{ width: '100%' }}
            data-testid={`${id}-kind`}
            options={(['numeric', 'boolean', 'grade'] as const).map((kind) => ({
              value: kind,
              label: t(`console.expert.kinds.${kind}`),
            }))}
          />
        </Field>
        {a.kind === 'numeric' && (
          <>
            <Field label={t('console.expert.editor.unit')}>
              <Input value={a.unit} onChange={(e) => set({ unit: e.target.value })} data-testid={`${id}-unit`} />
            </Field>
            <Field label={t('console.expert.editor.min')}>
              <InputNumber
                value={a.min}
                onChange={(min) => set({ min })}
                style={{ width: '100%' }}
                data-testid={`${id}-min`}
              />
            </Field>
            <Field label={t('console.expert.editor.max')}>
              <InputNumber
                value={a.max}
                onChange={(max) => set({ max })}
                style={{ width: '100%' }}
                data-testid={`${id}-max`}
              />
            </Field>
          </>
        )}
        {a.kind === 'grade' && (
          <Field label={t('console.expert.editor.grades')} wide>
            <Select
              mode="tags"
              value={a.grades}
              onChange={(grades) => set({ grades })}
              style={{ width: '100%' }}
              tokenSeparators={[',', '，']}
              placeholder={t('console.expert.editor.gradesHint')}
              data-testid={`${id}-grades`}
              open={false}
            />
          </Field>
        )}
        <Field label={t('console.expert.editor.tolerance')}>
          <InputNumber
            value={a.tolerance}
            onChange={(tolerance) => set({ tolerance })}
            min={0}
            style={{ width: '100%' }}
            data-testid={`${id}-tolerance`}
          />
        </Field>
        <Field label={t('console.expert.editor.weight')}>
          <InputNumber
            value={a.weight}
            onChange={(weight) => set({ weight })}
            style={{ width: '100%' }}
            data-testid={`${id}-weight`}
          />
        </Field>
        <Field label={t('console.expert.editor.testMethod')} wide>
          <Input
            value={a.testMethod}
            onChange={(e) => set({ testMethod: e.target.value })}
            data-testid={`${id}-method`}
          />
        </Field>
      </div>
      <Checkbox
        checked={a.mandatory}
        onChange={(e) => set({ mandatory: e.target.checked })}
        style={{ marginTop: 8 }}
        data-testid={`${id}-mandatory`}
      >
        {t('console.expert.editor.mandatory')}
      </Checkbox>
      {issues.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 8 }}
          data-testid={`${id}-issues`}
          title={
            <ul style={{ margin: 0, paddingLeft: 16 }}>
              {issues.map((issue) => (
                <li key={`${issue.field}-${issue.message}`}>
                  <code>
                    {issue.field.replace(/^attributes\[\d+\]\.?/, '') || t('console.expert.editor.wholeAttribute')}
                  </code>
                  {': '}
                  {issue.message}
                </li>
              ))}
            </ul>
          }
        />
      )}
    </fieldset>
  );
}
