import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from './webhook-signature.js';

describe(signWebhook.name, () => {
  const secret = 'unit-secret-0123456789';
  const body = JSON.stringify({ event: 'case.assigned', title: '路灯不亮' });

  it('is sha256=<hex HMAC(secret, timestamp + "." + body)>', () => {
    const expected = createHmac('sha256', secret).update(`1764230400.${body}`, 'utf8').digest('hex');
    expect(signWebhook(secret, '1764230400', body)).toBe(`sha256=${expected}`);
  });

  it('verifies a fresh signature and refuses a changed body, a wrong secret or an old timestamp', () => {
    const now = 1764230400_000;
    const sig = signWebhook(secret, '1764230400', body);
    expect(verifyWebhook(secret, { timestamp: '1764230400', signature: sig }, body, now)).toBe(true);
    expect(verifyWebhook(secret, { timestamp: '1764230400', signature: sig }, `${body} `, now)).toBe(false);
    expect(verifyWebhook('other-secret-0123456789', { timestamp: '1764230400', signature: sig }, body, now)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: '1764230400', signature: sig }, body, now + 301_000)).toBe(false);
  });
});
