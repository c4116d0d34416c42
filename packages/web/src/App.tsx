import { Card, Col, ConfigProvider, Layout, Row, Segmented, Space, Typography } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useTranslation } from 'react-i18next';
import { HealthCard } from './components/HealthCard';
import type { Language } from './i18n';

const PILLARS = ['consensus', 'people', 'splits', 'log'] as const;
const THEME = { token: { colorPrimary: '#1f6f5c', borderRadius: 8 } };

export function App() {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  return (
    <ConfigProvider locale={language === 'en' ? enUS : zhCN} theme={THEME}>
      <Layout style={{ minHeight: '100vh' }}>
        <Layout.Header
          style={{
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            background: '#fff',
            paddingInline: 16,
          }}
        >
          <Space align="center">
            <img src="/favicon.svg" alt="" width={28} height={28} />
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="brand">
              {t('brand')}
            </Typography.Title>
          </Space>
          <Segmented
            aria-label={t('language')}
            data-testid="language-switch"
            value={language}
            onChange={(value) => void i18n.changeLanguage(value as Language)}
            options={[
              { label: '中文', value: 'zh-CN' },
              { label: 'English', value: 'en' },
            ]}
          />
        </Layout.Header>
        <Layout.Content style={{ padding: 16, maxWidth: 1080, width: '100%', margin: '0 auto' }}>
          <Typography.Paragraph style={{ fontSize: 16, marginBlock: 16 }} data-testid="tagline">
            {t('tagline')}
          </Typography.Paragraph>
          <Row gutter={[16, 16]}>
            {PILLARS.map((pillar) => (
              <Col key={pillar} xs={24} sm={12} lg={6}>
                <Card title={t(`pillars.${pillar}.title`)} size="small" style={{ height: '100%' }}>
                  {t(`pillars.${pillar}.text`)}
                </Card>
              </Col>
            ))}
            <Col xs={24} md={12}>
              <HealthCard />
            </Col>
            <Col xs={24} md={12}>
              <Card title="API" size="small">
                <Space orientation="vertical">
                  <Typography.Link href="/docs" data-testid="docs-link">
                    {t('links.docs')}
                  </Typography.Link>
                  <Typography.Link href="/openapi.json">{t('links.openapi')}</Typography.Link>
                </Space>
              </Card>
            </Col>
          </Row>
        </Layout.Content>
        <Layout.Footer style={{ textAlign: 'center' }}>{t('footer')}</Layout.Footer>
      </Layout>
    </ConfigProvider>
  );
}
