/**
 * NATS subjects as an actor or its link may write them (pure): tokens split by `.`, none empty,
 * no whitespace; `*` (one token) and `>` (the rest, last) only in a subscription's pattern.
 */

// nats-server's own limit on a control line is far above this; a subject this long is a mistake.
const MAX_SUBJECT_BYTES = 1024;

/** Why `subject` is not a subject an actor may publish to, or a pattern it may subscribe with; undefined when it is. */
export function subjectProblem(subject: string, asPattern: boolean): string | undefined {
  if (subject.length === 0) return 'a subject is empty';
  if (Buffer.byteLength(subject) > MAX_SUBJECT_BYTES) return `a subject is over ${MAX_SUBJECT_BYTES} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(subject)) return `${JSON.stringify(subject)} holds whitespace or a control character`;
  const tokens = subject.split('.');
  for (const [index, token] of tokens.entries()) {
    if (token.length === 0) return `${JSON.stringify(subject)} has an empty token`;
    const wildcard = token === '*' || token === '>';
    if (!wildcard && /[*>]/.test(token)) return `${JSON.stringify(subject)}: * and > stand alone as tokens`;
    if (wildcard && !asPattern) return `${JSON.stringify(subject)} has a wildcard: a message goes to one subject`;
    if (token === '>' && index !== tokens.length - 1) return `${JSON.stringify(subject)}: > is only the last token`;
  }
  return undefined;
}
