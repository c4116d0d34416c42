import { type ComponentType, lazy } from 'react';

// Every page is its own chunk: the shell and the home page are all a shopper's phone loads first.
const page = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(async () => ({ default: (await load())[name] }));

export const HomePage = page(() => import('../shop/HomePage'), 'HomePage');
export const SearchPage = page(() => import('../shop/SearchPage'), 'SearchPage');
export const ProductPage = page(() => import('../shop/ProductPage'), 'ProductPage');
export const CartPage = page(() => import('../shop/CartPage'), 'CartPage');
export const CheckoutPage = page(() => import('../shop/CheckoutPage'), 'CheckoutPage');
export const OrdersPage = page(() => import('../account/OrdersPage'), 'OrdersPage');
export const OrderPage = page(() => import('../account/OrderPage'), 'OrderPage');
export const MePage = page(() => import('../account/MePage'), 'MePage');
export const InvitePage = page(() => import('../account/InvitePage'), 'InvitePage');
export const ShareLandingPage = page(() => import('../account/ShareLandingPage'), 'ShareLandingPage');
export const WalletPage = page(() => import('../wallet/WalletPage'), 'WalletPage');
export const ExplorerPage = page(() => import('../explorer/ExplorerPage'), 'ExplorerPage');
export const EntryPage = page(() => import('../explorer/EntryPage'), 'EntryPage');
export const StatusPage = page(() => import('./StatusPage'), 'StatusPage');
export const NotFound = page(() => import('../shared/NotFound'), 'NotFound');
/** A console page: its code and every console's strings (console/strings.ts) load together. */
const consolePage = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(async () => {
    const [module] = await Promise.all([load(), import('../console/strings').then((m) => m.addConsoleStrings())]);
    return { default: module[name] };
  });

export const ConsoleHub = page(() => import('../console/ConsoleHub'), 'ConsoleHub');
export const ProducerConsole = consolePage(() => import('../console/producer/ProducerConsole'), 'ProducerConsole');
export const ExpertConsole = consolePage(() => import('../console/expert/ExpertConsole'), 'ExpertConsole');
export const TesterConsole = consolePage(() => import('../console/tester/TesterConsole'), 'TesterConsole');
export const NominatorConsole = consolePage(() => import('../console/nominator/NominatorConsole'), 'NominatorConsole');
export const PromoterConsole = consolePage(() => import('../console/promoter/PromoterConsole'), 'PromoterConsole');
export const OperatorConsole = consolePage(() => import('../console/operator/OperatorConsole'), 'OperatorConsole');
export const JurorConsole = consolePage(() => import('../console/juror/JurorConsole'), 'JurorConsole');
export const CustodianConsole = consolePage(() => import('../console/custodian/CustodianConsole'), 'CustodianConsole');
