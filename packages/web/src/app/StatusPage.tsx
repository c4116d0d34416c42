import { Card, Col, Row, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { HealthCard } from '../components/HealthCard';

const PILLARS = ['consensus', 'people', 'splits', 'log'] as const;

/** What Concord is, and whether the platform answers: for the curious and for operators. */
export function StatusPage() {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Paragraph style={{ fontSize: 16 }} data-testid="tagline">
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
    </Space>
  );
}
