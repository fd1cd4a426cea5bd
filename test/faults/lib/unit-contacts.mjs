// The units' contacts, set up before the load through the router's own APIs, as the city's admin and the units'
// IT would. The reference units ship without e-mail addresses, so an Assigned case would notify nobody: every
// active unit gets one address at the runner's SMTP server (PATCH /admin/units/:id, an admin token). A quarter of
// them also register a webhook at the runner's receiver (PUT /agency/webhook, the unit's own token), with
// `prefer: both`, so their e-mail stays and the e-mail checks hold for every unit.

import { staffToken } from './unit-replies.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {{ routerUrl: string, secret: string, webhookUrl: string, webhookSecret: string }} o
 * @returns {Promise<{ units: number, emailsGiven: number, hooked: Set<string> }>}
 */
export async function giveUnitsContacts(o) {
  const admin = { authorization: `Bearer ${staffToken(o.secret, { sub: 'faults-admin', role: 'admin' })}`, 'content-type': 'application/json' };
  const res = await fetch(`${o.routerUrl}/admin/units`, { headers: admin });
  if (!res.ok) throw new Error(`GET /admin/units: ${res.status} ${await res.text()}`);
  const units = await res.json();
  let emailsGiven = 0;
  for (const u of units) {
    if (u.emails?.length) continue;
    const email = `unit-${String(u.id).toLowerCase().replace(/[^a-z0-9-]/g, '')}@units.faults.test`;
    const r = await fetch(`${o.routerUrl}/admin/units/${encodeURIComponent(u.id)}`, {
      method: 'PATCH',
      headers: admin,
      body: JSON.stringify({ emails: [email], reason: 'fault tests: unit e-mail contact' }),
    });
    if (!r.ok) throw new Error(`PATCH /admin/units/${u.id}: ${r.status} ${await r.text()}`);
    emailsGiven++;
  }
  const ids = units.filter((u) => u.active !== false).map((u) => u.id).sort();
  const hooked = new Set(ids.filter((_, i) => i % 4 === 0));
  for (const unitId of hooked) {
    const token = staffToken(o.secret, { sub: `faults-it-${unitId}`, role: 'unit', unitId });
    const r = await fetch(`${o.routerUrl}/agency/webhook`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: o.webhookUrl, secret: o.webhookSecret, prefer: 'both' }),
    });
    if (r.status !== 204) throw new Error(`PUT /agency/webhook (${unitId}): ${r.status} ${await r.text()}`);
  }
  await sleep(3000); // the routing snapshot is re-read after ROUTER_SNAPSHOT_TTL_MS
  return { units: units.length, emailsGiven, hooked };
}
