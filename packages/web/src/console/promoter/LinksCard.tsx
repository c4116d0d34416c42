import { CopyOutlined, DownloadOutlined, LinkOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Input, message, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { copyText, shareQrUrl, shareUrl } from '../../account/copy';
import { formatDate, shortDid } from '../../shared/format';
import { MakeLinkForm } from './MakeLinkForm';
import type { ShareLinkView } from './queries';

function LinkRow({ link, titleOf }: { link: ShareLinkView; titleOf: (link: ShareLinkView) => string }) {
  const { t, i18n } = useTranslation();
  const [toast, holder] = message.useMessage();
  const url = shareUrl(link.code);
  const copy = async () => {
    if (await copyText(url)) void toast.success(t('common.copied'));
    else void toast.error(t('console.promoter.links.copyFailed'));
  };
  return (
    <li
      style={{ display: 'flex', gap: 12, alignItems: 'center', padding: '10px 0', borderTop: '1px solid #f0f0f0' }}
      data-testid={`promoter-link-${link.kind}`}
    >
      {holder}
      <a href={shareQrUrl(link.code, 880)} download={`concord-${link.kind}-${link.code}.png`}>
        <img
          src={shareQrUrl(link.code, 240)}
          alt={t('console.promoter.links.qrAlt', { title: titleOf(link) })}
          width={88}
          height={88}
          style={{ border: '1px solid #f0f0f0', borderRadius: 6, display: 'block' }}
          data-testid="promoter-link-qr"
        />
      </a>
      <div style={{ flex: 1, minWidth: 0 }}>
        <div style={{ marginBottom: 4 }}>
          <Tag color={link.kind === 'invite' ? 'green' : link.kind === 'product' ? 'blue' : 'purple'}>
            {t(`console.promoter.links.kind.${link.kind}`)}
          </Tag>
          <Typography.Text strong>{titleOf(link)}</Typography.Text>
        </div>
        <Space.Compact style={{ width: '100%' }}>
          <Input
            readOnly
            value={url}
            aria-label={t('console.promoter.links.urlLabel', { title: titleOf(link) })}
            onFocus={(event) => event.target.select()}
          />
          <Button icon={<CopyOutlined />} onClick={() => void copy()} aria-label={t('common.copy')}>
            {t('common.copy')}
          </Button>
        </Space.Compact>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('console.promoter.links.made', { date: formatDate(link.createdAt, i18n.language) })} ·{' '}
          <a href={shareQrUrl(link.code, 880)} download={`concord-${link.kind}-${link.code}.png`}>
            <DownloadOutlined /> {t('console.promoter.links.saveQr')}
          </a>
        </Typography.Text>
      </div>
    </li>
  );
}

/** My share links, each with its QR code and a copy button, and the form that makes a new one. */
export function LinksCard({
  links,
  titles,
  shops,
}: {
  links: ShareLinkView[];
  titles: Map<string, string>;
  shops: Map<string, string>;
}) {
  const { t } = useTranslation();
  const titleOf = (link: ShareLinkView) =>
    link.kind === 'invite'
      ? t('console.promoter.links.inviteTitle')
      : link.kind === 'product'
        ? (titles.get(link.productId ?? '') ?? link.productId ?? '')
        : (shops.get(link.producer ?? '') ?? shortDid(link.producer ?? ''));
  return (
    <Card
      size="small"
      title={
        <span>
          <LinkOutlined /> {t('console.promoter.links.title')}
        </span>
      }
      data-testid="promoter-links"
    >
      {links.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('console.promoter.links.none')} />
      ) : (
        <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {links.map((link) => (
            <LinkRow key={link.code} link={link} titleOf={titleOf} />
          ))}
        </ul>
      )}
      <MakeLinkForm links={links} />
    </Card>
  );
}
