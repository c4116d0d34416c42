import { Typography } from 'antd';
import type { ReactNode } from 'react';

/** A small label over a big number, for a card's row of figures; `hint` says more under it. */
export function Figure({
  label,
  value,
  hint,
  testId,
}: {
  label: ReactNode;
  value: ReactNode;
  hint?: ReactNode;
  testId?: string;
}) {
  return (
    <div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {label}
      </Typography.Text>
      <div style={{ fontSize: 18, fontWeight: 600 }} data-testid={testId}>
        {value}
      </div>
      {hint && (
        <Typography.Text type="secondary" style={{ fontSize: 11 }}>
          {hint}
        </Typography.Text>
      )}
    </div>
  );
}
