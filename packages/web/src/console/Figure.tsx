import { Typography } from 'antd';
import type { ReactNode } from 'react';

/** A small label over a big number, for a card's row of figures. */
export function Figure({ label, value, testId }: { label: ReactNode; value: ReactNode; testId?: string }) {
  return (
    <div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {label}
      </Typography.Text>
      <div style={{ fontSize: 18, fontWeight: 600 }} data-testid={testId}>
        {value}
      </div>
    </div>
  );
}
