import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './i18n';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');

const queryClient = new QueryClient({
  defaultOptions: {
    // A 4xx will not get better by asking again; a network blip might.
    queries: {
      staleTime: 15_000,
      retry: (count, error) => count < 2 && !((error as { status?: number }).status! >= 400),
    },
  },
});

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
