import type { Failure } from './state';

/**
 * A task Lambda's error reaches the execution as its `Cause` in Lambda's JSON envelope
 * (`{"errorType":..,"errorMessage":..}`); a rejection from "Delete Change Set" is plain text.
 */
interface LambdaErrorEnvelope {
  errorType?: string;
  errorMessage: string;
  [field: string]: unknown;
}

function envelopeOf(cause: string): LambdaErrorEnvelope | undefined {
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed !== null && typeof parsed === 'object' && typeof (parsed as LambdaErrorEnvelope).errorMessage === 'string') {
      return parsed as LambdaErrorEnvelope;
    }
  } catch {
    // Plain text.
  }
  return undefined;
}

/** The message a person should read: the envelope's `errorMessage`, or the plain text. */
export function readableCause(cause: string | undefined): string | undefined {
  if (cause === undefined || cause.trim() === '') return undefined;
  return envelopeOf(cause)?.errorMessage ?? cause;
}

/** Adds a sentence to a failure's cause, keeping its shape (envelope or plain text) and its error name. */
export function withNote(failure: Failure, note: string): Failure {
  const envelope = envelopeOf(failure.Cause ?? '');
  if (envelope) {
    return { Error: failure.Error, Cause: JSON.stringify({ errorType: envelope.errorType ?? failure.Error, errorMessage: `${envelope.errorMessage}\n${note}` }) };
  }
  return { Error: failure.Error, Cause: failure.Cause ? `${failure.Cause}\n${note}` : note };
}
