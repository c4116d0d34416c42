import { DeleteOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Form, Input, InputNumber, Modal, Select, Space, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, idempotencyKey, unwrap } from '../../api/client';
import { fenToYuan, localized, yuanToFen } from '../../shared/format';
import { ErrorState, Loading } from '../../shared/states';
import { useCategories } from '../../shop/queries';
import { ClaimFields } from './ClaimFields';
import { ActionNote, type ProductDetail, submit } from './shared';

interface SkuRow {
  code: string;
  optionName?: string;
  optionValue?: string;
  price: string | number | null;
  stock: number | null;
}

interface ProductValues {
  productId: string;
  titleZh: string;
  titleEn?: string;
  category: string;
  modelId: string;
  version: number;
  description: string;
  claims: Record<string, number | boolean | string | null | undefined>;
  skus: SkuRow[];
}

interface Image {
  sha256: string;
  url: string;
}

/** A server field ("body.skus[0].priceFen", "body.claims.moisture") as the form's field path. */
function formPath(field: string): (string | number)[] | null {
  const parts = field
    .replace(/^body\./, '')
    .split(/[.[\]]+/)
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const [head, ...rest] = parts;
  if (head === 'claims' && typeof rest[0] === 'string') return ['claims', rest[0]];
  if (head === 'skus' && typeof rest[0] === 'number') {
    const inner = rest[1] === 'priceFen' ? 'price' : rest[1] === 'options' ? 'optionValue' : rest[1];
    return typeof inner === 'string' ? ['skus', rest[0], inner] : null;
  }
  if (head === 'title') return [rest[0] === 'en' ? 'titleEn' : 'titleZh'];
  if (head === 'model') return [rest[0] === 'version' ? 'version' : 'modelId'];
  if (head === 'productId' || head === 'category' || head === 'description') return [head];
  return null;
}

async function uploadImage(file: File): Promise<Image> {
  const answer = await unwrap(
    api.POST('/v1/catalog/images', {
      body: file as never,
      bodySerializer: (body: unknown) => body as BodyInit,
      headers: { 'content-type': file.type },
    }),
  );
  return { sha256: answer.sha256, url: answer.url };
}

/**
 * Publishing a product (a new one, or a new version of one of mine): texts, category, the quality
 * model version and the claims its attributes ask for, images, SKUs with prices and stock. The
 * product becomes a draft, listed separately. A listed product is delisted first.
 */
export function ProductForm({
  open,
  onClose,
  onDone,
  editing,
}: {
  open: boolean;
  onClose: () => void;
  onDone: (productId: string, logIndex: string | undefined) => void;
  editing?: ProductDetail | undefined;
}) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<ProductValues>();
  const [images, setImages] = useState<Image[]>(() => editing?.images ?? []);
  const [key] = useState(() => idempotencyKey('product'));
  const fileInput = useRef<HTMLInputElement>(null);
  const language = i18n.language;
  const category = Form.useWatch('category', form);
  const modelId = Form.useWatch('modelId', form);
  const version = Form.useWatch('version', form);

  const categories = useCategories();
  const models = useQuery({
    queryKey: ['/v1/catalog/models', 'all'],
    queryFn: () => unwrap(api.GET('/v1/catalog/models', { params: { query: { limit: 100 } } })),
    enabled: open,
  });
  const model = useQuery({
    queryKey: ['/v1/catalog/models', modelId ?? ''],
    queryFn: () => unwrap(api.GET('/v1/catalog/models/{id}', { params: { path: { id: modelId ?? '' } } })),
    enabled: open && typeof modelId === 'string' && modelId !== '',
  });

  // A model may serve the product's category or one above it.
  const chain = useMemo(() => {
    const parents = new Map((categories.data?.items ?? []).map((c) => [c.slug, c.parent]));
    const slugs: string[] = [];
    for (let at: string | null | undefined = category; at && !slugs.includes(at); at = parents.get(at)) slugs.push(at);
    return slugs;
  }, [categories.data, category]);
  const usable = (models.data?.items ?? []).filter((m) => m.status === 'published' && chain.includes(m.category));
  const versions = (model.data?.versions ?? []).filter((v) => v.status === 'published');
  const chosen = model.data?.versions.find((v) => v.version === version);
  const attributes = chosen?.definition.attributes ?? [];

  // The latest published version, once a model is chosen (a product's new version moves to it).
  useEffect(() => {
    const latest = versions.at(-1)?.version;
    if (latest !== undefined && !versions.some((v) => v.version === form.getFieldValue('version'))) {
      form.setFieldValue('version', latest);
    }
  }, [versions, form]);

  const initialValues: Partial<ProductValues> = editing
    ? {
        productId: editing.id,
        titleZh: editing.title.zh,
        titleEn: editing.title.en ?? '',
        category: editing.category,
        modelId: editing.model.id,
        version: editing.model.version,
        description: editing.description,
        claims: { ...editing.claims },
        skus: editing.skus.map((sku) => {
          const [name, value] = Object.entries(sku.options)[0] ?? [];
          return {
            code: sku.code,
            optionName: name,
            optionValue: value,
            price: fenToYuan(sku.priceFen),
            stock: sku.stock,
          };
        }),
      }
    : { skus: [{ code: 'std', optionName: '规格', optionValue: '', price: null, stock: 100 }], claims: {} };

  const upload = useMutation({
    mutationFn: async (files: File[]) => {
      for (const file of files) {
        const image = await uploadImage(file);
        setImages((now) => (now.some((i) => i.sha256 === image.sha256) ? now : [...now, image]));
      }
    },
    // The same file picked again must fire a change.
    onSettled: () => {
      if (fileInput.current) fileInput.current.value = '';
    },
  });
  const pick = (files: FileList | null) => {
    if (files === null || files.length === 0) return;
    upload.mutate([...files]);
  };

  const publish = useMutation({
    mutationFn: async (body: { productId: string } & Record<string, unknown>) => {
      if (editing?.status === 'listed') {
        await submit('catalog.product.delisted', { productId: editing.id }).catch((failure) => {
          if (!(failure instanceof ApiError && failure.code === 'not_listed')) throw failure;
        });
      }
      return submit('catalog.product.published', body, key);
    },
    onSuccess: (receipt, body) => onDone(body.productId, receipt.logIndex),
    onError: (failure) => {
      if (!(failure instanceof ApiError)) return;
      const issues = (failure.details?.issues as { field: string; message: string }[] | undefined) ?? [];
      const all =
        issues.length > 0 ? issues : failure.field ? [{ field: failure.field, message: failure.message }] : [];
      const mapped = all
        .map((issue) => ({ path: formPath(issue.field), message: issue.message }))
        .filter((m): m is { path: (string | number)[]; message: string } => m.path !== null);
      if (mapped.length > 0) {
        form.setFields(mapped.map((m) => ({ name: m.path as never, errors: [m.message] })));
        form.scrollToField(mapped[0]?.path as never);
      }
    },
  });
  // One alert serves both actions: it tells of the one started last, which is what a person just tried.
  const failure = (upload.submittedAt > publish.submittedAt ? upload : publish).error;

  const save = (values: ProductValues) => {
    const claims: Record<string, unknown> = {};
    for (const attribute of attributes) {
      const value = values.claims?.[attribute.key];
      if (value !== undefined && value !== null && value !== '') claims[attribute.key] = value;
    }
    const skus = values.skus.map((sku) => {
      const name = sku.optionName?.trim();
      const value = sku.optionValue?.trim();
      return {
        code: sku.code.trim(),
        options: name && value ? { [name]: value } : {},
        priceFen: yuanToFen(sku.price) ?? '0',
        stock: sku.stock ?? 0,
      };
    });
    const titleEn = values.titleEn?.trim();
    const body = {
      productId: values.productId.trim(),
      category: values.category,
      title: { zh: values.titleZh.trim(), ...(titleEn ? { en: titleEn } : {}) },
      description: values.description.trim(),
      images: images.map((i) => i.sha256),
      model: { id: values.modelId, version: values.version },
      claims,
      skus,
    };
    publish.mutate(body);
  };

  const yuanRule = {
    validator: async (_: unknown, value: unknown) => {
      const fen = yuanToFen(value as string);
      if (fen === null || fen === '0') throw new Error(t('console.producer.form.priceInvalid'));
    },
  };

  return (
    <Modal
      open={open}
      title={
        editing
          ? t('console.producer.form.editTitle', { title: editing.title.zh })
          : t('console.producer.form.newTitle')
      }
      onCancel={onClose}
      width={860}
      okText={t('console.producer.form.publish')}
      cancelText={t('console.producer.cancel')}
      okButtonProps={
        {
          loading: publish.isPending,
          htmlType: 'submit',
          form: 'product-form',
          'data-testid': 'product-publish',
        } as never
      }
      destroyOnHidden
    >
      {categories.isError ? (
        <ErrorState error={categories.error} retry={() => void categories.refetch()} />
      ) : categories.isPending ? (
        <Loading />
      ) : (
        <Form<ProductValues>
          id="product-form"
          form={form}
          layout="vertical"
          initialValues={initialValues}
          onFinish={(values) => save(values)}
          scrollToFirstError
          data-testid="product-form"
        >
          {editing?.status === 'listed' && (
            <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('console.producer.form.delistFirst')} />
          )}
          <div
            style={{
              display: 'grid',
              gridTemplateColumns: 'repeat(auto-fill, minmax(min(240px, 100%), 1fr))',
              gap: '0 16px',
            }}
          >
            <Form.Item
              name="productId"
              label={t('console.producer.form.productId')}
              extra={t('console.producer.form.productIdHelp')}
              rules={[
                { required: true, message: t('console.producer.form.required') },
                { pattern: /^[a-z0-9][a-z0-9-]{2,63}$/, message: t('console.producer.form.productIdPattern') },
              ]}
            >
              <Input disabled={editing !== undefined} data-testid="product-id" autoComplete="off" />
            </Form.Item>
            <Form.Item
              name="titleZh"
              label={t('console.producer.form.titleZh')}
              rules={[{ required: true, whitespace: true, message: t('console.producer.form.required') }, { max: 100 }]}
            >
              <Input data-testid="product-title-zh" maxLength={100} />
            </Form.Item>
            <Form.Item name="titleEn" label={t('console.producer.form.titleEn')} rules={[{ max: 100 }]}>
              <Input data-testid="product-title-en" maxLength={100} />
            </Form.Item>
            <Form.Item
              name="category"
              label={t('console.producer.form.category')}
              rules={[{ required: true, message: t('console.producer.form.required') }]}
            >
              <Select
                data-testid="product-category"
                showSearch={{ optionFilterProp: 'label' }}
                onChange={() => form.setFieldsValue({ modelId: undefined as never, version: undefined as never })}
                options={(categories.data?.items ?? []).map((c) => ({
                  value: c.slug,
                  label: `${localized(c.name, language)} (${c.slug})`,
                }))}
              />
            </Form.Item>
            <Form.Item
              name="modelId"
              label={t('console.producer.form.model')}
              rules={[{ required: true, message: t('console.producer.form.required') }]}
              extra={
                category && usable.length === 0 && !models.isPending ? t('console.producer.form.noModel') : undefined
              }
            >
              <Select
                data-testid="product-model"
                disabled={!category}
                loading={models.isPending}
                onChange={() => form.setFieldValue('version', undefined)}
                options={usable.map((m) => ({ value: m.id, label: localized(m.name, language) }))}
              />
            </Form.Item>
            <Form.Item
              name="version"
              label={t('console.producer.form.version')}
              rules={[{ required: true, message: t('console.producer.form.required') }]}
            >
              <Select
                data-testid="product-version"
                disabled={!modelId}
                loading={model.isFetching}
                options={versions.map((v) => ({
                  value: v.version,
                  label: t('console.producer.form.versionLabel', {
                    version: v.version,
                    standards: v.definition.standards.join(', '),
                  }),
                }))}
              />
            </Form.Item>
          </div>
          <Form.Item
            name="description"
            label={t('console.producer.form.description')}
            rules={[{ required: true, whitespace: true, message: t('console.producer.form.required') }, { max: 4000 }]}
          >
            <Input.TextArea rows={3} maxLength={4000} showCount data-testid="product-description" />
          </Form.Item>

          <Typography.Title level={5} style={{ marginTop: 0 }}>
            {t('console.producer.form.claims')}
          </Typography.Title>
          {model.isError ? (
            <ErrorState error={model.error} retry={() => void model.refetch()} />
          ) : chosen === undefined ? (
            <Typography.Paragraph type="secondary">{t('console.producer.form.pickModel')}</Typography.Paragraph>
          ) : (
            <>
              <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
                {t('console.producer.form.claimsHelp', { standards: chosen.definition.standards.join('、') })}
              </Typography.Paragraph>
              {editing !== undefined && editing.verdict !== 'untested' && (
                <Alert
                  type="info"
                  showIcon
                  style={{ marginBottom: 12 }}
                  title={t('console.producer.form.claimsRetest')}
                  data-testid="claims-retest"
                />
              )}
              <ClaimFields attributes={attributes} />
            </>
          )}

          <Typography.Title level={5}>{t('console.producer.form.images')}</Typography.Title>
          <Space wrap style={{ marginBottom: 12 }}>
            {images.map((image) => (
              <div key={image.sha256} style={{ position: 'relative' }}>
                <img src={image.url} alt="" style={{ width: 72, height: 72, objectFit: 'cover', borderRadius: 6 }} />
                <Button
                  size="small"
                  shape="circle"
                  icon={<DeleteOutlined />}
                  aria-label={t('console.producer.form.removeImage')}
                  style={{ position: 'absolute', top: -6, right: -6 }}
                  onClick={() => setImages((now) => now.filter((i) => i.sha256 !== image.sha256))}
                />
              </div>
            ))}
            <input
              ref={fileInput}
              type="file"
              accept="image/png,image/jpeg,image/webp"
              multiple
              style={{ display: 'none' }}
              data-testid="product-image-input"
              onChange={(event) => pick(event.target.files)}
            />
            <Button icon={<UploadOutlined />} loading={upload.isPending} onClick={() => fileInput.current?.click()}>
              {t('console.producer.form.upload')}
            </Button>
          </Space>

          <Typography.Title level={5}>{t('console.producer.form.skus')}</Typography.Title>
          <Form.List name="skus">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <div
                    key={field.key}
                    style={{ display: 'flex', gap: 8, flexWrap: 'wrap', alignItems: 'flex-start' }}
                    data-testid={`sku-row-${field.name}`}
                  >
                    <Form.Item
                      name={[field.name, 'code']}
                      label={t('console.producer.form.skuCode')}
                      rules={[
                        { required: true, message: t('console.producer.form.required') },
                        { pattern: /^[A-Za-z0-9-]{1,32}$/, message: t('console.producer.form.skuCodePattern') },
                      ]}
                      style={{ width: 110 }}
                    >
                      <Input data-testid={`sku-code-${field.name}`} />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'optionName']}
                      label={t('console.producer.form.optionName')}
                      style={{ width: 100 }}
                    >
                      <Input placeholder="规格" />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'optionValue']}
                      label={t('console.producer.form.optionValue')}
                      style={{ width: 120 }}
                    >
                      <Input placeholder="5kg" data-testid={`sku-option-${field.name}`} />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'price']}
                      label={t('console.producer.form.price')}
                      rules={[{ required: true, message: t('console.producer.form.required') }, yuanRule]}
                      style={{ width: 130 }}
                    >
                      <Input prefix="¥" inputMode="decimal" data-testid={`sku-price-${field.name}`} />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'stock']}
                      label={t('console.producer.form.stock')}
                      rules={[{ required: true, message: t('console.producer.form.required') }]}
                      style={{ width: 110 }}
                    >
                      <InputNumber
                        min={0}
                        precision={0}
                        style={{ width: '100%' }}
                        data-testid={`sku-stock-${field.name}`}
                      />
                    </Form.Item>
                    {fields.length > 1 && (
                      <Button
                        icon={<DeleteOutlined />}
                        aria-label={t('console.producer.form.removeSku')}
                        onClick={() => remove(field.name)}
                        style={{ marginTop: 30 }}
                      />
                    )}
                  </div>
                ))}
                <Button
                  icon={<PlusOutlined />}
                  onClick={() => add({ code: `sku-${fields.length + 1}`, optionName: '规格', stock: 0 })}
                >
                  {t('console.producer.form.addSku')}
                </Button>
              </>
            )}
          </Form.List>
          <ActionNote error={failure} style={{ marginTop: 12 }} testId="product-error" />
        </Form>
      )}
    </Modal>
  );
}
