/** Checks of the password-change form before it goes to the union (which applies the real policy). */

export interface PasswordChangeInput {
  current: string;
  next: string;
  confirm: string;
}

export type PasswordChangeErrors = Partial<Record<keyof PasswordChangeInput, string>>;

/** Japanese messages for what can be seen without the union: empty fields and a mistyped confirmation. */
export function validatePasswordChange(input: PasswordChangeInput): PasswordChangeErrors {
  const errors: PasswordChangeErrors = {};
  if (input.current === '') {
    errors.current = '現在のパスワードを入力してください。';
  }
  if (input.next === '') {
    errors.next = '新しいパスワードを入力してください。';
  } else if (input.next === input.current) {
    errors.next = '現在と同じパスワードは使えません。';
  }
  if (input.confirm !== input.next) {
    errors.confirm = '確認用のパスワードが一致しません。';
  }
  return errors;
}

/** The reasons the union gives for a forced change, as the dialog title says them. */
export function reasonTitle(reason: string | null | undefined): string {
  switch (reason) {
    case 'first_sign_in':
      return '初回サインイン：パスワードの変更';
    case 'reset':
      return 'パスワードの再設定';
    case 'expired':
      return 'パスワードの有効期限切れ';
    default:
      return 'パスワードの変更';
  }
}
