import { useQuery } from '@tanstack/react-query';
import { Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, idempotencyKey, unwrap } from '../../api/client';
import { formatDateTime, shortDid } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { ActButton, type Json, Section, signAndSubmit } from './shared';

type Application = Json<'/v1/roles/applications'>['items'][number];
const KEY = '/v1/roles/applications';

/** Accounts waiting for a role only an operator grants: approve or reject each, as a signed event. */
export function RoleApplications() {
  const { t, i18n } = useTranslation();
  const pending = useQuery({
    queryKey: [KEY, 'pending'],
    queryFn: () => unwrap(api.GET('/v1/roles/applications', { params: { query: { status: 'pending', limit: 100 } } })),
  });
  const decide = (application: Application, type: 'identity.role.approved' | 'identity.role.rejected') => () =>
    signAndSubmit(type, { account: application.did, role: application.role }, idempotencyKey(type));

  let content: React.ReactNode;
  if (pending.isPending) content = <Loading />;
  else if (pending.isError) content = <ErrorState error={pending.error} retry={() => void pending.refetch()} />;
  else if (pending.data.items.length === 0) content = <EmptyState description={t('console.operator.roles.empty')} />;
  else
    content = (
      <Table<Application>
        rowKey="id"
        size="small"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={pending.data.items}
        data-testid="role-applications"
        columns={[
          {
            title: t('console.operator.roles.account'),
            dataIndex: 'did',
            render: (did: string) => <span title={did}>{shortDid(did)}</span>,
          },
          {
            title: t('console.operator.roles.role'),
            dataIndex: 'role',
            render: (role: string) => <Tag color="green">{t(`console.roles.${role}.title`)}</Tag>,
          },
          {
            title: t('console.operator.roles.appliedAt'),
            dataIndex: 'appliedAt',
            render: (at: string) => formatDateTime(at, i18n.language),
          },
          {
            title: t('console.operator.actions'),
            key: 'actions',
            render: (_: unknown, application) => (
              <Space wrap size={4}>
                <ActButton
                  type="primary"
                  size="small"
                  label={t('console.operator.approve')}
                  act={decide(application, 'identity.role.approved')}
                  refresh={[KEY]}
                  data-testid={`approve-role-${application.did}`}
                />
                <ActButton
                  danger
                  size="small"
                  label={t('console.operator.reject')}
                  confirm={t('console.operator.roles.rejectConfirm')}
                  act={decide(application, 'identity.role.rejected')}
                  refresh={[KEY]}
                  data-testid={`reject-role-${application.did}`}
                />
              </Space>
            ),
          },
        ]}
      />
    );
  return (
    <Section title={t('console.operator.roles.title')} text={t('console.operator.roles.text')}>
      {content}
    </Section>
  );
}
