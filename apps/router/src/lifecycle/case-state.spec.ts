import { RouterError } from '../common/router-error.js';
import { assertStep, canStep } from './case-state.js';

describe('case state machine', () => {
  it('allows accept only from assigned', () => {
    expect(canStep('assigned', 'accept')).toBe(true);
    for (const s of ['accepted', 'replied', 'closed', 'returned', 'queued_for_desk']) expect(canStep(s, 'accept')).toBe(false);
  });

  it('refuses a reply to a closed case with a coded error', () => {
    expect(() => assertStep('closed', 'reply')).toThrow(RouterError);
    try {
      assertStep('closed', 'reply');
    } catch (e) {
      expect((e as RouterError).code).toBe('illegal_transition');
      expect((e as RouterError).message).toContain('closed');
    }
  });

  it('rates only replied cases and auto-closes only replied cases', () => {
    expect(canStep('replied', 'rate')).toBe(true);
    expect(canStep('accepted', 'rate')).toBe(false);
    expect(canStep('rated', 'auto_close')).toBe(false);
  });
});
