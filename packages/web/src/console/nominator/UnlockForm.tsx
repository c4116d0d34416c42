import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, InputNumber } from 'antd';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../shared/error-text';
import { type ConsensusMe, nominatorKeys } from './queries';

/** Takes points out of my stake (`consensus.stake.unlocked`): they return after the cool-down. */
export function UnlockForm({ me }: { me: ConsensusMe }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const errorText = useErrorText('account.errors');
  const [form] = Form.useForm<{ amountPoints: number }>();
  // The unlock's id is chosen here, once per amount: a retry of the same unlock is not a second one.
  const pending = useRef<{ amount: number; id: string } | null>(null);
  const unlock = useMutation({
    mutationFn: async (amountPoints: number) => {
      if (pending.current?.amount !== amountPoints) {
        pending.current = { amount: amountPoints, id: `unlock-${crypto.randomUUID()}` };
      }
      const { id } = pending.current;
      const { submitEvent } = await import('../../session/signer');
      await submitEvent('consensus.stake.unlocked', { unlockId: id, amountPoints: String(amountPoints) });
    },
    // Awaited, so the button stays busy until the stake shown is the new one.
    onSuccess: async () => {
      pending.current = null;
      form.resetFields();
      await queryClient.invalidateQueries({ queryKey: nominatorKeys.me(me.did) });
      await queryClient.invalidateQueries({ queryKey: ['/v1/consensus/candidates'] });
    },
  });
  const staked = Number(me.nomination?.stakePoints ?? '0');
  if (staked <= 0) return null;

  return (
    <Form
      form={form}
      layout="vertical"
      onFinish={({ amountPoints }) => unlock.mutate(amountPoints)}
      data-testid="stake-unlock-form"
      style={{ marginTop: 16 }}
    >
      <div style={{ display: 'flex', gap: 8, alignItems: 'flex-start', flexWrap: 'wrap' }}>
        <Form.Item
          name="amountPoints"
          label={t('console.nominator.unlock.amount')}
          extra={t('console.nominator.unlock.hint')}
          rules={[{ required: true, message: t('console.nominator.unlock.required') }]}
          style={{ flex: '1 1 200px', marginBottom: 8 }}
        >
          <InputNumber<number>
            min={1}
            max={staked}
            precision={0}
            style={{ width: '100%' }}
            data-testid="stake-unlock-amount"
          />
        </Form.Item>
        <Button
          htmlType="submit"
          loading={unlock.isPending}
          data-testid="stake-unlock-submit"
          style={{ marginTop: 30 }}
        >
          {t('console.nominator.unlock.submit')}
        </Button>
      </div>
      {unlock.isError && <Alert type="error" showIcon title={errorText(unlock.error)} />}
    </Form>
  );
}
