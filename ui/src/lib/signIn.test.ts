import { describe, expect, it } from 'vitest';
import { hasErrors, validateSignIn } from './signIn';

describe('validateSignIn', () => {
  it('asks for both fields when both are empty', () => {
    expect(validateSignIn({ staffId: '', password: '' })).toEqual({
      staffId: '職員IDを入力してください。',
      password: 'パスワードを入力してください。',
    });
  });

  it('treats a staff ID of spaces (half- or full-width) as empty', () => {
    expect(validateSignIn({ staffId: ' \u3000 ', password: 'x' }).staffId).toBe(
      '職員IDを入力してください。',
    );
  });

  it('accepts a password made of spaces: it is taken as typed', () => {
    expect(validateSignIn({ staffId: 'S0001', password: '  ' })).toEqual({});
  });

  it('has no errors for filled fields', () => {
    const errors = validateSignIn({ staffId: 'S0001', password: 'secret' });
    expect(hasErrors(errors)).toBe(false);
  });
});
