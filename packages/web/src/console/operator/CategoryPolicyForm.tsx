import { DEFAULT_SPLIT_POLICY, SPLIT_SHARE_FIELDS } from '@concord/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Checkbox, Form, InputNumber, Modal, message, Space, Tag } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { localized } from '../../shared/format';
import {
  type CategoryPolicyValues,
  categoryBody,
  type EditedCategory,
  formValuesOf,
  overrideOf,
  type PolicyField,
  type PolicyIssue,
  percentText,
  policyFieldOf,
  policyIssues,
  supplierBpsOf,
} from './category-policy';
import { errorText, signAndSubmit } from './shared';

/** The server's refusal as issues on the form's fields; those it cannot place are shown above the buttons. */
function serverIssues(error: unknown): { placed: PolicyIssue[]; unplaced: boolean } {
  if (!(error instanceof ApiError)) return { placed: [], unplaced: error !== null };
  const listed = (error.details?.issues as { field?: string; code?: string; message: string }[] | undefined) ?? [];
  const all = listed.length > 0 ? listed : [{ field: error.field, code: error.code, message: error.message }];
  const placed: PolicyIssue[] = [];
  for (const issue of all) {
    const field = policyFieldOf(issue.field);
    if (field !== null) placed.push({ field, code: issue.code ?? error.code, message: issue.message });
  }
  return { placed, unplaced: placed.length < all.length };
}

/**
 * Edits a category's deposit and split override, checked as typed by the protocol's validator
 * (the one the server runs), and saves them as the operator's signed `catalog.category.defined`.
 */
export function CategoryPolicyForm({ category, onClose }: { category: EditedCategory; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<CategoryPolicyValues>();
  const initial = useMemo(() => formValuesOf(category), [category]);
  // Before the fields mount the watch is empty: the starting values stand in.
  const watched = Form.useWatch((all: CategoryPolicyValues) => all, form);
  const values: CategoryPolicyValues = watched?.shares ? watched : initial;

  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => signAndSubmit('catalog.category.defined', body),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['/v1/catalog/categories'] });
      void message.success(t('console.operator.policies.edit.saved', { slug: category.slug }));
      onClose();
    },
  });

  const live = policyIssues(values, category.splitPolicy);
  const fromServer = serverIssues(save.error);
  const supplierBps = supplierBpsOf(overrideOf(values.shares, category.splitPolicy));

  const say = (issue: PolicyIssue): string => {
    const key = `console.operator.policies.edit.issues.${issue.code}`;
    return i18n.exists(key) ? t(key, { total: percentText(10_000 - supplierBps) }) : issue.message;
  };
  const issuesOn = (field: PolicyField): string[] =>
    [...live, ...fromServer.placed].filter((issue) => issue.field === field).map(say);
  const status = (field: PolicyField) => {
    const said = issuesOn(field);
    return said.length === 0
      ? {}
      : {
          validateStatus: 'error' as const,
          help: <span data-testid={`policy-issue-${field}`}>{said.join('; ')}</span>,
        };
  };
  const splitIssues = issuesOn('splitPolicy');

  return (
    <Modal
      open
      title={t('console.operator.policies.edit.title', {
        name: `${localized(category.name, i18n.language)} (${category.slug})`,
      })}
      onCancel={onClose}
      okText={t('console.operator.policies.edit.save')}
      cancelText={t('console.operator.policies.edit.cancel')}
      okButtonProps={
        {
          htmlType: 'submit',
          form: 'category-policy-form',
          disabled: live.length > 0,
          loading: save.isPending,
          'data-testid': 'category-policy-save',
        } as never
      }
    >
      <Form<CategoryPolicyValues>
        id="category-policy-form"
        form={form}
        layout="vertical"
        initialValues={initial}
        // A server error is about the values it was sent: once they change it no longer applies.
        onValuesChange={() => save.reset()}
        onFinish={(submitted) => {
          const all = { ...initial, ...submitted };
          // Enter in an input submits even while the save button is disabled.
          if (policyIssues(all, category.splitPolicy).length === 0) save.mutate(categoryBody(category, all));
        }}
        data-testid="category-policy-form"
      >
        <Form.Item
          name="depositYuan"
          label={t('console.operator.policies.edit.deposit')}
          extra={t('console.operator.policies.edit.depositHint')}
          {...status('depositFen')}
        >
          <InputNumber<string>
            stringMode
            min="0"
            precision={2}
            step="100"
            suffix={t('console.operator.policies.edit.yuan')}
            style={{ width: '100%' }}
            data-testid="category-deposit"
          />
        </Form.Item>
        <p>{t('console.operator.policies.edit.sharesText')}</p>
        {SPLIT_SHARE_FIELDS.map((field) => (
          <Form.Item key={field} label={t(`console.operator.policies.shares.${field}`)} {...status(field)}>
            <Space wrap>
              <Form.Item name={['shares', field, 'percent']} noStyle>
                <InputNumber<number>
                  min={0}
                  max={100}
                  precision={2}
                  step={0.5}
                  suffix="%"
                  disabled={values.shares[field]?.useDefault}
                  status={issuesOn(field).length > 0 ? 'error' : undefined}
                  style={{ width: 140 }}
                  data-testid={`share-${field}`}
                />
              </Form.Item>
              <Form.Item name={['shares', field, 'useDefault']} valuePropName="checked" noStyle>
                <Checkbox
                  data-testid={`share-default-${field}`}
                  onChange={(event) => {
                    // The default is shown in the (disabled) input, so the operator sees what the share will be.
                    if (event.target.checked) {
                      form.setFieldValue(['shares', field, 'percent'], DEFAULT_SPLIT_POLICY[field] / 100);
                    }
                  }}
                >
                  {t('console.operator.policies.edit.useDefault', {
                    percent: percentText(DEFAULT_SPLIT_POLICY[field]),
                  })}
                </Checkbox>
              </Form.Item>
            </Space>
          </Form.Item>
        ))}
        <p>
          {t('console.operator.policies.edit.supplierShare')}{' '}
          <Tag color={supplierBps < 0 ? 'red' : 'blue'} data-testid="supplier-share">
            {percentText(supplierBps)}
          </Tag>
        </p>
        {splitIssues.length > 0 && (
          <Alert type="error" showIcon title={splitIssues.join('; ')} data-testid="policy-issue-splitPolicy" />
        )}
        {fromServer.unplaced && (
          <Alert
            type="error"
            showIcon
            style={{ marginTop: 12 }}
            title={errorText(save.error)}
            data-testid="category-policy-error"
          />
        )}
      </Form>
    </Modal>
  );
}
