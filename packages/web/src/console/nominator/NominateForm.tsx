import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, InputNumber, Select, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { formatPoints } from '../../account/shared';
import { useErrorText } from '../../shared/error-text';
import { shortDid } from '../../shared/format';
import { MutationError } from '../../shared/MutationError';
import { type Candidate, type ConsensusMe, nominatorKeys } from './queries';

const MAX_TARGETS = 16;

interface Values {
  targets: string[];
  stakePoints: number;
}

/**
 * Sets my nomination (`consensus.nomination.set`): 1–16 targets and the total stake. Raising the
 * stake locks the difference now; lowering it is an unlock (the form below), never this.
 */
export function NominateForm({ me, candidates }: { me: ConsensusMe; candidates: Candidate[] }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const errorText = useErrorText('account.errors');
  const [form] = Form.useForm<Values>();
  const current = BigInt(me.nomination?.stakePoints ?? '0');
  const most = current + BigInt(me.pointsBalance);
  const options = [
    ...new Set([...candidates.filter((c) => c.eligible).map((c) => c.did), ...(me.nomination?.targets ?? [])]),
  ].map((did) => ({ value: did, label: shortDid(did), title: did }));

  // The nomination changed (set, unlocked, slashed): the form starts again from what it is now.
  const targetsNow = (me.nomination?.targets ?? []).join(',');
  useEffect(() => {
    form.setFieldsValue({
      targets: targetsNow === '' ? [] : targetsNow.split(','),
      stakePoints: Number(current) || undefined,
    });
  }, [form, targetsNow, current]);

  const submit = useMutation({
    mutationFn: async (values: Values) => {
      const { submitEvent } = await import('../../session/signer');
      return submitEvent('consensus.nomination.set', {
        targets: values.targets,
        stakePoints: String(values.stakePoints),
      });
    },
    // Awaited, so the button stays busy until the stake shown is the new one.
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: nominatorKeys.me(me.did) });
      await queryClient.invalidateQueries({ queryKey: ['/v1/consensus/candidates'] });
    },
  });

  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={{ targets: me.nomination?.targets ?? [], stakePoints: Number(current) || undefined }}
      onFinish={(values) => submit.mutate(values)}
      data-testid="nominate-form"
    >
      <Form.Item
        name="targets"
        label={t('console.nominator.nominate.targets')}
        extra={t('console.nominator.nominate.targetsHint', { max: MAX_TARGETS })}
        rules={[
          { required: true, message: t('console.nominator.nominate.targetsRequired') },
          { type: 'array', max: MAX_TARGETS, message: t('console.nominator.nominate.tooMany', { max: MAX_TARGETS }) },
        ]}
      >
        <Select mode="multiple" options={options} allowClear data-testid="nominate-targets" />
      </Form.Item>
      <Form.Item
        name="stakePoints"
        label={t('console.nominator.nominate.stake')}
        extra={t('console.nominator.nominate.stakeHint', {
          current: formatPoints(current),
          most: formatPoints(most),
        })}
        rules={[
          { required: true, message: t('console.nominator.nominate.stakeRequired') },
          {
            validator: (_, value: number | undefined) => {
              if (value === undefined || value === null) return Promise.resolve();
              if (BigInt(value) < current)
                return Promise.reject(new Error(t('console.nominator.nominate.lowerByUnlock')));
              if (BigInt(value) > most) return Promise.reject(new Error(t('console.nominator.nominate.notEnough')));
              return Promise.resolve();
            },
          },
        ]}
      >
        <InputNumber<number> min={1} precision={0} step={100} style={{ width: '100%' }} data-testid="nominate-stake" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={submit.isPending} data-testid="nominate-submit">
        {me.nomination ? t('console.nominator.nominate.change') : t('console.nominator.nominate.submit')}
      </Button>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
        {t('console.nominator.nominate.rule')}
      </Typography.Paragraph>
      {submit.isSuccess && (
        <Alert
          type="success"
          showIcon
          style={{ marginTop: 8 }}
          title={t('console.nominator.nominate.done')}
          data-testid="nominate-done"
        />
      )}
      <MutationError mutation={submit} text={errorText} style={{ marginTop: 8 }} testId="nominate-error" />
    </Form>
  );
}
