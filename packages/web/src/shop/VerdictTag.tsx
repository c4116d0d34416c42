import { CheckCircleFilled, ClockCircleOutlined, CloseCircleFilled, ExperimentOutlined } from '@ant-design/icons';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

type Verdict = 'untested' | 'testing' | 'passed' | 'failed';

const LOOK = {
  passed: { color: 'success', icon: <CheckCircleFilled /> },
  failed: { color: 'error', icon: <CloseCircleFilled /> },
  testing: { color: 'processing', icon: <ExperimentOutlined /> },
  untested: { color: 'default', icon: <ClockCircleOutlined /> },
} as const;

/** The product's consensus verdict in a word: the first thing a shopper looks for. */
export function VerdictTag({ verdict }: { verdict: Verdict }) {
  const { t } = useTranslation();
  const look = LOOK[verdict];
  return (
    <Tag color={look.color} icon={look.icon} style={{ marginInlineEnd: 0 }} data-testid="verdict-tag">
      {t(`shop.verdict.${verdict}`)}
    </Tag>
  );
}
