import { useQuery } from '@tanstack/react-query';

export interface Readiness {
  status: 'ok';
  database: 'pglite' | 'postgres';
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function fetchReadiness(): Promise<Readiness> {
  const response = await fetch('/readyz', { headers: { accept: 'application/json' } });
  const body = (await response.json().catch(() => ({}))) as Partial<Readiness> & {
    error?: { code: string; message: string };
  };
  if (!response.ok) {
    throw new ApiError(response.status, body.error?.code ?? 'unavailable', body.error?.message ?? response.statusText);
  }
  return body as Readiness;
}

/** Polls /readyz so the page shows a live status. */
export const useReadiness = () =>
  useQuery({ queryKey: ['readyz'], queryFn: fetchReadiness, refetchInterval: 15_000, retry: 1 });
