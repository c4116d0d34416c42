import { useState } from 'react';

/**
 * A console's tab, named in the address (?tab=orders) so a reload or a shared link opens it
 * again: the tab shown, and the way to choose another.
 */
export function useTabInAddress<Tab extends string>(tabs: readonly Tab[], first: Tab): [Tab, (next: string) => void] {
  const [tab, setTab] = useState<Tab>(() => {
    const wanted = new URLSearchParams(globalThis.location?.search ?? '').get('tab');
    return (tabs as readonly string[]).includes(wanted ?? '') ? (wanted as Tab) : first;
  });
  const choose = (next: string) => {
    setTab(next as Tab);
    const url = new URL(globalThis.location.href);
    url.searchParams.set('tab', next);
    globalThis.history.replaceState(globalThis.history.state, '', url);
  };
  return [tab, choose];
}
