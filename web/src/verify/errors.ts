// Typed failures of the verifier. The codes mirror the C++ layers' ErrorCode names
// (src/base/status.h) so a message reads the same in the CLI and in the browser.
export type VerifyCode = 'invalid_argument' | 'bad_signature' | 'corrupt';

export class VerifyError extends Error {
  readonly code: VerifyCode;
  constructor(code: VerifyCode, message: string) {
    super(message);
    this.name = 'VerifyError';
    this.code = code;
  }
}

export function invalid(message: string): VerifyError {
  return new VerifyError('invalid_argument', message);
}
export function badSignature(message: string): VerifyError {
  return new VerifyError('bad_signature', message);
}
export function corrupt(message: string): VerifyError {
  return new VerifyError('corrupt', message);
}
