import i18n from '../i18n';

// Every console's strings, as lazy chunks: they load with the first console a person opens, never
// with the storefront (consoles share pieces, e.g. the tester's earnings are the expert's, so all
// of them come together).
const files = import.meta.glob<{ default: Record<string, unknown> }>('./*/locales/*.json');

let loading: Promise<void> | undefined;

export function addConsoleStrings(): Promise<void> {
  loading ??= Promise.all(
    Object.entries(files).map(async ([path, load]) => {
      const [, role, , file] = path.split('/');
      const language = file?.replace(/\.json$/, '');
      if (role === undefined || language === undefined) return;
      i18n.addResourceBundle(language, 'translation', { console: { [role]: (await load()).default } }, true, false);
    }),
  ).then(() => undefined);
  return loading;
}
