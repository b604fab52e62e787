/** What the clerk typed into the sign-in form. */
export interface SignInInput {
  /** 職員ID */
  staffId: string;
  /** パスワード */
  password: string;
}

export type SignInField = keyof SignInInput;

/** Japanese messages per field; a field without a message is valid. */
export type SignInErrors = Partial<Record<SignInField, string>>;

/**
 * Checks the form before anything is sent. Only presence is checked here: the staff directory and
 * password rules belong to the union server and arrive with the sign-in use case.
 */
export function validateSignIn(input: SignInInput): SignInErrors {
  const errors: SignInErrors = {};
  if (input.staffId.trim() === '') {
    errors.staffId = '職員IDを入力してください。';
  }
  // Passwords are taken as typed (spaces may be part of one); only emptiness is refused.
  if (input.password === '') {
    errors.password = 'パスワードを入力してください。';
  }
  return errors;
}

export function hasErrors(errors: SignInErrors): boolean {
  return Object.keys(errors).length > 0;
}
