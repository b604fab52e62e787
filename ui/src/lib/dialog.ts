/**
 * `use:modal` for the screens' dialogs (issue 14 #8): the dialog takes the focus when it opens, Tab and
 * Shift+Tab stay inside it, and the focus goes back to where it was when it closes. Esc is each dialog's
 * own `onkeydown` (it decides what closing means); with the focus inside, it now always reaches it.
 */
const FOCUSABLE =
  'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

export function modal(node: HTMLElement): { destroy: () => void } {
  const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const focusables = () => Array.from(node.querySelectorAll<HTMLElement>(FOCUSABLE));
  // The dialog itself first (its controls may still be loading); Tab goes on to the first control.
  node.focus();

  function onkeydown(event: KeyboardEvent) {
    if (event.key !== 'Tab') {
      return;
    }
    const all = focusables();
    const first = all.at(0);
    const last = all.at(-1);
    if (!first || !last) {
      event.preventDefault();
      return;
    }
    const active = document.activeElement;
    if (event.shiftKey && (active === first || active === node)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  }

  node.addEventListener('keydown', onkeydown);
  return {
    destroy() {
      node.removeEventListener('keydown', onkeydown);
      if (before?.isConnected) {
        before.focus();
      }
    },
  };
}
