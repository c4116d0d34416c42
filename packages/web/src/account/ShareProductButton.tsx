import { CopyOutlined, ShareAltOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Input, Modal, message, Space, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, unwrap } from '../api/client';
import { useSession } from '../session/session-store';
import { useMe } from '../session/use-me';
import { useErrorText } from '../shared/error-text';
import { copyText, shareQrUrl, shareUrl } from './copy';

interface Shared {
  url: string;
  /** The promoter's tracked link: its QR code is drawn by the server. */
  code: string | null;
}

/**
 * "Share" on a product page. A promoter shares a tracked link (made once, then reused: its code is
 * derived from what it points at) with its QR code; anyone else copies the product's address, and
 * a signed-in member is told where their own invitation is.
 */
/**
 * `startNow`: share at once when mounted (the product page loads this module on the first tap of
 * its own light share button, then hands over).
 */
export function ShareProductButton({ productId, startNow = false }: { productId: string; startNow?: boolean }) {
  const { t } = useTranslation();
  const session = useSession();
  const queryClient = useQueryClient();
  const [toast, holder] = message.useMessage();
  const [shared, setShared] = useState<Shared | null>(null);
  const errorText = useErrorText('account.errors');
  const me = useMe(session);
  const promoter = me.data?.roles.includes('promoter') ?? false;

  const copy = async (url: string) => {
    if (await copyText(url)) void toast.success(t('account.invite.copied'));
  };

  // The promoter's tracked link for this product: the one made before, else a new one.
  const track = useMutation({
    mutationFn: async (did: string): Promise<Shared> => {
      const channel = await queryClient.fetchQuery({
        queryKey: ['/v1/distribution/me', did],
        queryFn: () => unwrap(api.GET('/v1/distribution/me')),
      });
      let code = channel.links.find((link) => link.kind === 'product' && link.productId === productId)?.code;
      if (code === undefined) {
        const { submitEvent } = await import('../session/signer');
        const receipt = await submitEvent('distribution.link.created', { kind: 'product', productId });
        code = (receipt.result as { code: string }).code;
        void queryClient.invalidateQueries({ queryKey: ['/v1/distribution/me', did] });
      }
      return { url: shareUrl(code), code };
    },
    onSuccess: setShared,
    onError: (error) => void toast.error(errorText(error)),
  });

  const share = async () => {
    const plain = `${globalThis.location.origin}/products/${encodeURIComponent(productId)}`;
    if (!promoter || session === null) {
      setShared({ url: plain, code: null });
      await copy(plain);
      return;
    }
    track.mutate(session.did);
  };
  const started = useRef(false);
  // Starts once it knows whether the sharer is a promoter (their roles have loaded).
  const ready = session === null || me.isSuccess || me.isError;
  useEffect(() => {
    if (startNow && ready && !started.current) {
      started.current = true;
      void share();
    }
  });

  return (
    <>
      {holder}
      <Button
        icon={<ShareAltOutlined />}
        loading={track.isPending}
        onClick={() => void share()}
        data-testid="share-product"
      >
        {promoter ? t('account.shareProduct.promote') : t('account.shareProduct.share')}
      </Button>
      <Modal
        open={shared !== null}
        onCancel={() => setShared(null)}
        footer={null}
        title={shared?.code ? t('account.shareProduct.promoteTitle') : t('account.shareProduct.title')}
        destroyOnHidden
      >
        {shared !== null && (
          <Space orientation="vertical" style={{ width: '100%' }} size="middle">
            <Typography.Text type="secondary">
              {shared.code ? t('account.shareProduct.promoteText') : t('account.shareProduct.text')}
            </Typography.Text>
            <Space.Compact style={{ width: '100%' }}>
              <Input
                readOnly
                value={shared.url}
                aria-label={t('account.invite.urlLabel')}
                onFocus={(event) => event.target.select()}
                data-testid="share-url"
              />
              <Button type="primary" icon={<CopyOutlined />} onClick={() => void copy(shared.url)}>
                {t('common.copy')}
              </Button>
            </Space.Compact>
            {shared.code !== null && (
              <div style={{ textAlign: 'center' }}>
                <img
                  src={shareQrUrl(shared.code, 440)}
                  alt={t('account.shareProduct.qrAlt')}
                  width={200}
                  height={200}
                  data-testid="share-qr"
                />
              </div>
            )}
            {shared.code === null && session !== null && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('account.shareProduct.inviteHint')}{' '}
                <Link href="/invite" onClick={() => setShared(null)}>
                  {t('account.me.invite')}
                </Link>
              </Typography.Text>
            )}
          </Space>
        )}
      </Modal>
    </>
  );
}
