import { useMutation, useQuery } from '@tanstack/react-query';
import { Form, Input, InputNumber, Modal, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idempotencyKey, unwrap } from '../../api/client';
import { ErrorState, Loading } from '../../shared/states';
import { ActionNote, keys, type MyProduct, submit } from './shared';

type Done = (text: string, logIndex: string | undefined) => void;

const today = () => new Date().toISOString().slice(0, 10);

/** Registering a production lot: the unit a test round buys and tests. */
export function LotDialog({ product, onClose, onDone }: { product: MyProduct; onClose: () => void; onDone: Done }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ lotId: string; productionDate: string; quantity: number }>();
  const [key] = useState(() => idempotencyKey('lot'));
  const save = useMutation({
    mutationFn: (values: { lotId: string; productionDate: string; quantity: number }) =>
      submit(
        'catalog.lot.registered',
        {
          productId: product.id,
          lotId: values.lotId.trim(),
          productionDate: values.productionDate,
          quantity: values.quantity,
        },
        key,
      ),
    onSuccess: (receipt, values) => onDone(t('console.producer.lot.done', { lot: values.lotId }), receipt.logIndex),
  });
  return (
    <Modal
      open
      title={t('console.producer.lot.title', { title: product.title.zh })}
      onCancel={onClose}
      okText={t('console.producer.lot.submit')}
      cancelText={t('console.producer.cancel')}
      okButtonProps={
        { loading: save.isPending, htmlType: 'submit', form: 'lot-form', 'data-testid': 'lot-submit' } as never
      }
      destroyOnHidden
    >
      <Form
        id="lot-form"
        form={form}
        layout="vertical"
        initialValues={{ lotId: `${today().replaceAll('-', '')}-01`, productionDate: today(), quantity: 500 }}
        onFinish={(values) => save.mutate(values)}
      >
        <Form.Item
          name="lotId"
          label={t('console.producer.lot.id')}
          rules={[
            { required: true, message: t('console.producer.form.required') },
            { pattern: /^[A-Za-z0-9-]{1,64}$/, message: t('console.producer.form.skuCodePattern') },
          ]}
        >
          <Input data-testid="lot-id" />
        </Form.Item>
        <Form.Item
          name="productionDate"
          label={t('console.producer.lot.date')}
          rules={[
            { required: true, message: t('console.producer.form.required') },
            { pattern: /^\d{4}-\d{2}-\d{2}$/, message: t('console.producer.lot.dateFormat') },
          ]}
        >
          <Input type="date" max={today()} data-testid="lot-date" />
        </Form.Item>
        <Form.Item
          name="quantity"
          label={t('console.producer.lot.quantity')}
          rules={[{ required: true, message: t('console.producer.form.required') }]}
        >
          <InputNumber min={1} precision={0} style={{ width: '100%' }} data-testid="lot-quantity" />
        </Form.Item>
        <ActionNote error={save.error} testId="lot-error" />
      </Form>
    </Modal>
  );
}

/** Adding or taking away stock of one SKU. */
export function StockDialog({ product, onClose, onDone }: { product: MyProduct; onClose: () => void; onDone: Done }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ skuId: string; delta: number }>();
  const detail = useQuery({
    queryKey: keys.product(product.id),
    queryFn: () => unwrap(api.GET('/v1/catalog/products/{id}', { params: { path: { id: product.id } } })),
  });
  const skuId = Form.useWatch('skuId', form);
  const sku = detail.data?.skus.find((s) => s.id === skuId);
  const save = useMutation({
    mutationFn: (values: { skuId: string; delta: number }) =>
      submit('catalog.stock.adjusted', { skuId: values.skuId, delta: values.delta }),
    onSuccess: (receipt) => onDone(t('console.producer.stock.done'), receipt.logIndex),
  });
  return (
    <Modal
      open
      title={t('console.producer.stock.title', { title: product.title.zh })}
      onCancel={onClose}
      okText={t('console.producer.stock.submit')}
      cancelText={t('console.producer.cancel')}
      okButtonProps={
        { loading: save.isPending, htmlType: 'submit', form: 'stock-form', 'data-testid': 'stock-submit' } as never
      }
      destroyOnHidden
    >
      {detail.isPending ? (
        <Loading rows={2} />
      ) : detail.isError ? (
        <ErrorState error={detail.error} retry={() => void detail.refetch()} />
      ) : (
        <Form
          id="stock-form"
          form={form}
          layout="vertical"
          initialValues={{ skuId: detail.data.skus[0]?.id, delta: 10 }}
          onFinish={(values) => save.mutate(values)}
        >
          <Form.Item name="skuId" label={t('console.producer.stock.sku')} rules={[{ required: true }]}>
            <Select
              data-testid="stock-sku"
              options={detail.data.skus.map((s) => ({
                value: s.id,
                label: `${s.code} ${Object.values(s.options).join(' ')} · ${t('console.producer.stock.inStock', { count: s.stock })}`,
              }))}
            />
          </Form.Item>
          <Form.Item
            name="delta"
            label={t('console.producer.stock.delta')}
            extra={sku ? t('console.producer.stock.now', { count: sku.stock }) : undefined}
            rules={[
              { required: true, message: t('console.producer.form.required') },
              {
                validator: async (_, value: number | null) => {
                  if (value === 0) throw new Error(t('console.producer.stock.notZero'));
                  if (sku && value !== null && sku.stock + value < 0)
                    throw new Error(t('console.producer.stock.belowZero'));
                },
              },
            ]}
          >
            <InputNumber precision={0} style={{ width: '100%' }} data-testid="stock-delta" />
          </Form.Item>
          <ActionNote error={save.error} />
        </Form>
      )}
    </Modal>
  );
}
