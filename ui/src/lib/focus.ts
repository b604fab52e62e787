/**
 * Where the cursor goes next (issue 14 #8): a clerk works with the keyboard, so after each step the focus
 * moves to what comes next — the first field to fill, the next button to press — instead of falling back
 * to the page, where the next key press does nothing.
 */

/** Fields a clerk types into or chooses from (buttons are left out: a stray Enter must not act). */
const FIELDS =
  'input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled])';

/** Focuses `el` when there is one; says whether it did. */
export function focusOn(el: HTMLElement | null | undefined): boolean {
  if (!el?.isConnected) {
    return false;
  }
  el.focus();
  return document.activeElement === el;
}

/** The first field inside `root` (skipping those matching `skip`), focused; false when there is none. */
export function focusFirstField(root: ParentNode | null | undefined, skip?: string): boolean {
  if (!root) {
    return false;
  }
  const fields = Array.from(root.querySelectorAll<HTMLElement>(FIELDS));
  return focusOn(fields.find((f) => !skip || !f.matches(skip)));
}

/** Whether the focus is inside `root` (somewhere other than the page itself). */
export function focusInside(root: Node | null | undefined): boolean {
  const active = document.activeElement;
  return !!root && !!active && active !== document.body && root.contains(active);
}

/** Whether nobody holds the focus: the page itself has it (an element that held it went away). */
export function focusLost(): boolean {
  const active = document.activeElement;
  return !active || active === document.body || active === document.documentElement;
}
