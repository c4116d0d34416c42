import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Form, Input, Radio, Space } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, unwrap } from '../api/client';
import { ErrorState, Loading } from '../shared/states';

interface AddressInput {
  recipient: string;
  phone: string;
  region: string;
  detail: string;
}

/** The shipping address: one of mine, or a new one (kept in the database only, never on the log). */
export function AddressPicker({ value, onChange }: { value?: string; onChange: (id: string) => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const addresses = useQuery({ queryKey: ['addresses'], queryFn: () => unwrap(api.GET('/v1/addresses')) });
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm<AddressInput>();
  const save = useMutation({
    mutationFn: (input: AddressInput) => unwrap(api.POST('/v1/addresses', { body: input })),
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ['addresses'] });
      onChange(saved.id);
      setAdding(false);
      form.resetFields();
    },
    onError: (error) => {
      const field = error instanceof ApiError ? error.field?.replace(/^body\./, '') : undefined;
      if (field) form.setFields([{ name: field as keyof AddressInput, errors: [error.message] }]);
    },
  });
  const items = addresses.data?.items ?? [];
  const first = items[0];
  // The first address is chosen until the shopper picks another.
  useEffect(() => {
    if (value === undefined && first !== undefined) onChange(first.id);
  }, [value, first, onChange]);

  if (addresses.isPending) return <Loading rows={2} />;
  if (addresses.isError) return <ErrorState error={addresses.error} retry={() => void addresses.refetch()} />;
  const showForm = adding || items.length === 0;
  return (
    <div>
      {items.length > 0 && (
        <Radio.Group value={value} onChange={(event) => onChange(event.target.value)} data-testid="address-list">
          <Space orientation="vertical">
            {items.map((address) => (
              <Radio key={address.id} value={address.id}>
                <strong>{address.recipient}</strong> {address.phone}
                <div style={{ color: '#5b6b66', fontSize: 13 }}>
                  {address.region} {address.detail}
                </div>
              </Radio>
            ))}
          </Space>
        </Radio.Group>
      )}
      {showForm ? (
        <Form
          form={form}
          layout="vertical"
          style={{ marginTop: items.length > 0 ? 12 : 0 }}
          onFinish={(input) => save.mutate(input)}
          data-testid="address-form"
          requiredMark={false}
        >
          <Form.Item name="recipient" label={t('shop.address.recipient')} rules={[{ required: true, max: 50 }]}>
            <Input autoComplete="name" />
          </Form.Item>
          <Form.Item
            name="phone"
            label={t('shop.address.phone')}
            rules={[{ required: true, pattern: /^\+?[0-9 -]{5,20}$/, message: t('shop.address.phoneInvalid') }]}
          >
            <Input inputMode="tel" autoComplete="tel" />
          </Form.Item>
          <Form.Item name="region" label={t('shop.address.region')} rules={[{ required: true, max: 100 }]}>
            <Input placeholder={t('shop.address.regionPlaceholder')} />
          </Form.Item>
          <Form.Item name="detail" label={t('shop.address.detail')} rules={[{ required: true, max: 200 }]}>
            <Input autoComplete="street-address" />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="address-save">
              {t('shop.address.save')}
            </Button>
            {items.length > 0 && <Button onClick={() => setAdding(false)}>{t('common.cancel')}</Button>}
          </Space>
          <p style={{ color: '#8a9793', fontSize: 12, marginTop: 8 }}>{t('shop.address.private')}</p>
        </Form>
      ) : (
        <Button type="link" icon={<PlusOutlined />} onClick={() => setAdding(true)} style={{ paddingInline: 0 }}>
          {t('shop.address.add')}
        </Button>
      )}
    </div>
  );
}
