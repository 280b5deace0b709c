import { describe, expect, it } from 'vitest';
import { humanLogLine, logDestination } from '../../cli/log-lines.ts';

describe('the host log on a terminal', () => {
  it('reads as lines for a person, with the actor, the level and the reason', () => {
    expect(humanLogLine('{"level":30,"name":"counter","actor":"M1","msg":"actor started"}', false)).toBe('[counter] info: actor started');
    expect(humanLogLine('{"level":30,"name":"badger-host","msg":"badger host up"}', false)).toBe('info: badger host up');
    expect(humanLogLine('{"level":40,"name":"echo","msg":"the call failed","code":"ACTOR_TRAPPED","reason":"unreachable"}', false)).toBe('[echo] warn: the call failed (ACTOR_TRAPPED: unreachable)');
    expect(humanLogLine('{"level":30,"name":"hello","stream":"stdout","msg":"hi"}', false)).toBe('[hello] stdout: hi');
  });

  it('leaves out each request\'s access line unless verbose, but never a failed one', () => {
    expect(humanLogLine('{"level":30,"name":"hello","msg":"http request","status":200}', false)).toBeUndefined();
    expect(humanLogLine('{"level":30,"name":"hello","msg":"http request","status":200}', true)).toBe('[hello] info: http request');
    expect(humanLogLine('{"level":40,"name":"hello","msg":"http request","status":500,"reason":"trap"}', false)).toBe('[hello] warn: http request (trap)');
  });

  it('shows a note (what a detached host says for people) as it was said, and a line that is not JSON as it is', () => {
    expect(humanLogLine('{"level":30,"name":"badger-host","note":true,"msg":"demo: built hello in 9.1 s"}', false)).toBe('demo: built hello in 9.1 s');
    expect(humanLogLine('badger host up: control socket /tmp/host.sock', false)).toBe('badger host up: control socket /tmp/host.sock');
  });
});

describe('where the host log goes', () => {
  it('is the file alone for a detached host, JSON on stdout when piped or asked, and lines for a person on a terminal', () => {
    expect(logDestination({ detached: true, json: false, terminal: false })).toBe('file');
    expect(logDestination({ detached: true, json: true, terminal: true })).toBe('file');
    expect(logDestination({ detached: false, json: true, terminal: true })).toBe('stdout');
    expect(logDestination({ detached: false, json: false, terminal: false })).toBe('stdout');
    expect(logDestination({ detached: false, json: false, terminal: true })).toBe('terminal');
  });
});
