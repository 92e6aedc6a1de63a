// The login state in the viewer's header, where the content pages link
// "Mein NUMIS" (after the map in the main navigation): "Anmelden" while
// logged out, the pseudonym linking to the account while logged in.

import { type Account, accountPage, accountsEnabled, onAccountChange } from './account';
import { el, icon, replaceChildren } from './dom';
import { getLang, t } from './i18n';
import { ICONS } from './icons';

function link(account: Account | null): HTMLAnchorElement {
  if (!account) {
    return el('a', { id: 'account-link', href: accountPage('login', getLang()), 'data-state': 'logged-out', title: t('account_login_label') },
      t('account_login'));
  }
  // The visible name is the pseudonym; "My NUMIS: logged in as" before it
  // tells screen readers where the link goes (and starts with what they see
  // only as the icon).
  return el('a', { id: 'account-link', href: account.accountUrl || accountPage('home', getLang()), 'data-state': 'logged-in', title: t('account_mine') },
    icon(ICONS.person),
    el('span', { class: 'visually-hidden' }, `${t('account_of')} `),
    el('span', { class: 'account-name' }, account.pseudonym));
}

/** Adds the entry to the main navigation once the login state is known. */
export function mountAccountNav(nav: HTMLUListElement | null, known: Promise<Account | null>): void {
  if (!nav || !accountsEnabled()) return;
  const item = el('li', { class: 'nav-account' });
  const show = (account: Account | null): void => {
    replaceChildren(item, link(account));
    if (!item.isConnected) nav.appendChild(item);
  };
  void known.then(show);
  onAccountChange(show);
}
