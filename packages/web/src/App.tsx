import { ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useTranslation } from 'react-i18next';
import { Route, Switch } from 'wouter';
import * as pages from './app/routes';
import { Shell } from './app/Shell';
import type { Language } from './i18n';

const THEME = { token: { colorPrimary: '#1f6f5c', borderRadius: 8 } };

export function App() {
  const { i18n } = useTranslation();
  const language = i18n.language as Language;
  return (
    <ConfigProvider locale={language === 'en' ? enUS : zhCN} theme={THEME}>
      <Shell>
        <Switch>
          <Route path="/" component={pages.HomePage} />
          <Route path="/search" component={pages.SearchPage} />
          <Route path="/c/:category" component={pages.SearchPage} />
          <Route path="/products/:id" component={pages.ProductPage} />
          <Route path="/cart" component={pages.CartPage} />
          <Route path="/checkout" component={pages.CheckoutPage} />
          <Route path="/orders" component={pages.OrdersPage} />
          <Route path="/orders/:id" component={pages.OrderPage} />
          <Route path="/me" component={pages.MePage} />
          <Route path="/invite" component={pages.InvitePage} />
          <Route path="/s/:code" component={pages.ShareLandingPage} />
          <Route path="/wallet" component={pages.WalletPage} />
          <Route path="/explorer" component={pages.ExplorerPage} />
          <Route path="/explorer/entries/:index" component={pages.EntryPage} />
          <Route path="/status" component={pages.StatusPage} />
          <Route path="/console" component={pages.ConsoleHub} />
          <Route path="/console/producer" component={pages.ProducerConsole} />
          <Route path="/console/expert" component={pages.ExpertConsole} />
          <Route path="/console/tester" component={pages.TesterConsole} />
          <Route path="/console/nominator" component={pages.NominatorConsole} />
          <Route path="/console/promoter" component={pages.PromoterConsole} />
          <Route path="/console/operator" component={pages.OperatorConsole} />
          <Route path="/console/juror" component={pages.JurorConsole} />
          <Route path="/console/custodian" component={pages.CustodianConsole} />
          <Route component={pages.NotFound} />
        </Switch>
      </Shell>
    </ConfigProvider>
  );
}
