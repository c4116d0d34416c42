import { LockOutlined } from '@ant-design/icons';
import { Card, Col, List, Row, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatPoints } from '../../account/shared';
import { Figure } from '../../shared/Figure';
import { formatDate, shortDid } from '../../shared/format';
import { NominateForm } from './NominateForm';
import type { Candidate, ConsensusMe } from './queries';
import { UnlockForm } from './UnlockForm';

/** My nomination: whom I back and with how much, what is locked and cooling down, and the forms. */
export function StakeCard({ me, candidates }: { me: ConsensusMe; candidates: Candidate[] }) {
  const { t, i18n } = useTranslation();
  return (
    <Card
      size="small"
      title={
        <span>
          <LockOutlined /> {t('console.nominator.stake.title')}
        </span>
      }
      data-testid="my-stake"
    >
      <Row gutter={[12, 12]}>
        <Col xs={12} md={6}>
          <Figure
            label={t('console.nominator.stake.staked')}
            value={formatPoints(me.nomination?.stakePoints ?? '0')}
            testId="stake-points"
          />
        </Col>
        <Col xs={12} md={6}>
          <Figure label={t('console.nominator.stake.cooling')} value={formatPoints(me.coolingPoints)} />
        </Col>
        <Col xs={12} md={6}>
          <Figure label={t('console.nominator.stake.locked')} value={formatPoints(me.lockedPoints)} />
        </Col>
        <Col xs={12} md={6}>
          <Figure label={t('console.nominator.stake.free')} value={formatPoints(me.pointsBalance)} />
        </Col>
      </Row>
      {me.nomination ? (
        <Typography.Paragraph style={{ margin: '12px 0' }} data-testid="my-targets">
          {t('console.nominator.stake.targets', { count: me.nomination.targets.length })}{' '}
          {me.nomination.targets.map((did) => (
            <Tag key={did} title={did}>
              {shortDid(did)}
            </Tag>
          ))}
          <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
            {t('console.nominator.stake.updated', { date: formatDate(me.nomination.updatedAt, i18n.language) })}
          </Typography.Text>
        </Typography.Paragraph>
      ) : (
        <Typography.Paragraph style={{ margin: '12px 0' }}>{t('console.nominator.stake.none')}</Typography.Paragraph>
      )}
      <NominateForm me={me} candidates={candidates} />
      <UnlockForm me={me} />
      {me.unlocks.length > 0 && (
        <List
          size="small"
          header={<strong>{t('console.nominator.unlock.title')}</strong>}
          dataSource={me.unlocks}
          data-testid="unlocks"
          renderItem={(unlock) => (
            <List.Item>
              <span>{formatPoints(unlock.amountPoints)}</span>
              <span>
                <Tag color={unlock.status === 'cooling' ? 'gold' : 'green'}>
                  {t(`console.nominator.unlock.state.${unlock.status}`)}
                </Tag>
                {t(unlock.status === 'cooling' ? 'console.nominator.unlock.until' : 'console.nominator.unlock.back', {
                  date: formatDate(unlock.releasedAt ?? unlock.unlockAt, i18n.language),
                })}
              </span>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
