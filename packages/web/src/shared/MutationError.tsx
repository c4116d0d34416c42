import { Alert } from 'antd';
import type { CSSProperties } from 'react';

/** A failed action's error in the reader's words (`text`, from useErrorText), under the control that sent it. */
export function MutationError({
  mutation,
  text,
  style,
  testId,
}: {
  mutation: { isError: boolean; error: unknown };
  text: (error: unknown) => string;
  style?: CSSProperties;
  testId?: string;
}) {
  if (!mutation.isError) return null;
  return <Alert type="error" showIcon title={text(mutation.error)} style={style} data-testid={testId} />;
}
