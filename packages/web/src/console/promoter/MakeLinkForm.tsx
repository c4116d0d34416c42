import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Radio, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { keys } from '../../account/shared';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/session-store';
import { useErrorText } from '../../shared/error-text';
import { localized } from '../../shared/format';
import { promoterKeys, type ShareLinkView } from './queries';

interface Values {
  kind: 'product' | 'shop' | 'invite';
  target?: string;
}

/** Makes a product, shop or invitation link (`distribution.link.created`), signed in this browser. */
export function MakeLinkForm({ links }: { links: ShareLinkView[] }) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const queryClient = useQueryClient();
  const errorText = useErrorText('account.errors');
  const [form] = Form.useForm<Values>();
  const kind = Form.useWatch('kind', form) ?? 'product';
  const products = useQuery({
    queryKey: promoterKeys.products,
    queryFn: () => unwrap(api.GET('/v1/catalog/products', { params: { query: { limit: 50 } } })),
  });
  const items = products.data?.items ?? [];
  const producers = [...new Map(items.map((p) => [p.producerDid, p])).values()];
  const hasInvite = links.some((link) => link.kind === 'invite');

  const submit = useMutation({
    mutationFn: async (values: Values) => {
      const body =
        values.kind === 'invite'
          ? { kind: 'invite' }
          : values.kind === 'product'
            ? { kind: 'product', productId: values.target }
            : { kind: 'shop', producer: values.target };
      const { submitEvent } = await import('../../session/signer');
      return submitEvent('distribution.link.created', body);
    },
    // Awaited, so the button stays busy until the new link is in the list.
    onSuccess: async () => {
      form.resetFields(['target']);
      if (session) await queryClient.invalidateQueries({ queryKey: keys.distribution(session.did) });
    },
  });

  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={{ kind: 'product' }}
      onFinish={(values) => submit.mutate(values)}
      style={{ marginTop: 16, paddingTop: 12, borderTop: '1px dashed #e5e9e8' }}
      data-testid="make-link-form"
    >
      <Form.Item name="kind" label={t('console.promoter.make.title')}>
        <Radio.Group optionType="button">
          <Radio.Button value="product">{t('console.promoter.links.kind.product')}</Radio.Button>
          <Radio.Button value="shop">{t('console.promoter.links.kind.shop')}</Radio.Button>
          {!hasInvite && <Radio.Button value="invite">{t('console.promoter.links.kind.invite')}</Radio.Button>}
        </Radio.Group>
      </Form.Item>
      {kind !== 'invite' && (
        <Form.Item
          name="target"
          label={kind === 'product' ? t('console.promoter.make.product') : t('console.promoter.make.shop')}
          rules={[{ required: true, message: t('console.promoter.make.required') }]}
        >
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            loading={products.isPending}
            placeholder={t('console.promoter.make.placeholder')}
            data-testid="make-link-target"
            options={
              kind === 'product'
                ? items.map((p) => ({ value: p.id, label: localized(p.title, i18n.language) }))
                : producers.map((p) => ({
                    value: p.producerDid,
                    label: t('console.promoter.make.shopOf', { title: localized(p.title, i18n.language) }),
                  }))
            }
          />
        </Form.Item>
      )}
      <Button type="primary" htmlType="submit" loading={submit.isPending} data-testid="make-link-submit">
        {t('console.promoter.make.submit')}
      </Button>
      {submit.isSuccess && (
        <Alert type="success" showIcon style={{ marginTop: 12 }} title={t('console.promoter.make.done')} />
      )}
      {submit.isError && <Alert type="error" showIcon style={{ marginTop: 12 }} title={errorText(submit.error)} />}
    </Form>
  );
}
