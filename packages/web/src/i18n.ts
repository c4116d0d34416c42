import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import accountEn from './account/locales/en.json';
import accountZh from './account/locales/zh-CN.json';
import consoleEn from './console/locales/en.json';
import consoleZh from './console/locales/zh-CN.json';
import explorerEn from './explorer/locales/en.json';
import explorerZh from './explorer/locales/zh-CN.json';
import en from './locales/en.json';
import zhCN from './locales/zh-CN.json';
import shopEn from './shop/locales/en.json';
import shopZh from './shop/locales/zh-CN.json';
import trustEn from './trust/locales/en.json';
import trustZh from './trust/locales/zh-CN.json';
import walletEn from './wallet/locales/en.json';
import walletZh from './wallet/locales/zh-CN.json';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'concord.language';

function initialLanguage(): Language {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  return stored === 'en' || stored === 'zh-CN' ? stored : 'zh-CN';
}

// Each feature keeps its own copy under its own key (t('shop.…'), t('wallet.…')); the shell's is at the top.
const zhResources = {
  ...zhCN,
  shop: shopZh,
  trust: trustZh,
  account: accountZh,
  wallet: walletZh,
  explorer: explorerZh,
  console: consoleZh,
};
const enResources = {
  ...en,
  shop: shopEn,
  trust: trustEn,
  account: accountEn,
  wallet: walletEn,
  explorer: explorerEn,
  console: consoleEn,
};

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhResources }, en: { translation: enResources } },
  lng: initialLanguage(),
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
});

i18n.on('languageChanged', (language) => {
  document.documentElement.lang = language;
  globalThis.localStorage?.setItem(STORAGE_KEY, language);
});
document.documentElement.lang = i18n.language;

export default i18n;
