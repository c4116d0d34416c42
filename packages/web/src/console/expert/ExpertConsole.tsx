import { PlusOutlined } from '@ant-design/icons';
import { Button, Result, Tabs } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../session/session-store';
import { useMe } from '../../session/use-me';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { SignInPrompt } from '../../shop/SignInPrompt';
import { Earnings } from './Earnings';
import { draftOf, emptyDraft, type ModelDraft } from './editor-state';
import { ModelCard } from './ModelCard';
import { ModelEditor } from './ModelEditor';
import { useMyModels } from './queries';

interface Editing {
  draft: ModelDraft;
  version: number;
}

/** The expert's console: my quality models, the editor that publishes their versions, and my earnings. */
export function ExpertConsole() {
  const { t } = useTranslation();
  const session = useSession();
  const me = useMe(session);
  if (session === null) return <SignInPrompt next="/console/expert" title={t('console.expert.signIn')} />;
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  if (!(me.data.roles as string[]).includes('expert')) {
    return <Result status="403" title={t('console.expert.notExpert')} data-testid="not-expert" />;
  }
  return <ExpertWork did={session.did} />;
}

function ExpertWork({ did }: { did: string }) {
  const { t } = useTranslation();
  const models = useMyModels(did);
  const [tab, setTab] = useState('models');
  const [editing, setEditing] = useState<Editing | null>(null);

  const modelsTab = models.isPending ? (
    <Loading />
  ) : models.isError ? (
    <ErrorState error={models.error} retry={() => void models.refetch()} />
  ) : (
    <div>
      <div style={{ display: 'flex', justifyContent: 'flex-end', marginBottom: 12 }}>
        <Button
          icon={<PlusOutlined />}
          onClick={() => {
            setEditing({ draft: emptyDraft(), version: 1 });
            setTab('editor');
          }}
          data-testid="new-model"
        >
          {t('console.expert.models.new')}
        </Button>
      </div>
      {models.data.length === 0 ? (
        <EmptyState description={t('console.expert.models.none')} />
      ) : (
        models.data.map((model) => (
          <ModelCard
            key={model.id}
            model={model}
            onEdit={(latest) => {
              setEditing({
                draft: draftOf(model.id, latest.definition),
                version: model.latestVersion + 1,
              });
              setTab('editor');
            }}
          />
        ))
      )}
    </div>
  );

  const editorTab =
    editing === null ? (
      <EmptyState
        description={t('console.expert.editor.pick')}
        action={
          <Button type="primary" onClick={() => setEditing({ draft: emptyDraft(), version: 1 })}>
            {t('console.expert.models.new')}
          </Button>
        }
      />
    ) : (
      <ModelEditor
        key={`${editing.draft.modelId}-${editing.version}`}
        initial={editing.draft}
        version={editing.version}
        onPublished={() => {
          setEditing(null);
          setTab('models');
        }}
        onCancel={() => {
          setEditing(null);
          setTab('models');
        }}
      />
    );

  return (
    <div data-testid="expert-console">
      <h2 style={{ fontSize: 18, margin: '4px 0 4px' }}>{t('console.expert.title')}</h2>
      <p style={{ color: '#5b6b66', margin: '0 0 12px' }}>{t('console.expert.text')}</p>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: 'models',
            label: <span data-testid="tab-models">{t('console.expert.tabs.models')}</span>,
            children: modelsTab,
          },
          {
            key: 'editor',
            label: <span data-testid="tab-editor">{t('console.expert.tabs.editor')}</span>,
            children: editorTab,
          },
          {
            key: 'earnings',
            label: <span data-testid="tab-earnings">{t('console.expert.tabs.earnings')}</span>,
            children: <Earnings did={did} prefix="expert" />,
          },
        ]}
      />
    </div>
  );
}
