import { chainWithin, ChainLink, isDumpingBurst, isSpike, taintSeverity } from './seller-rules';
import { exampleEvent, signalId } from '@vigil/contracts';
import { SELLER_RULES, sellerSignal } from './seller-signals';

describe('seller rules', () => {
  it('a spike needs the floor and the multiple of the baseline', () => {
    expect(isSpike(19, 0, 20, 5)).toEqual({ fires: false, threshold: 20 });
    expect(isSpike(20, 0.3, 20, 5)).toEqual({ fires: true, threshold: 20 });
    expect(isSpike(40, 10, 20, 5)).toEqual({ fires: false, threshold: 50 }); // a big steady seller
  });

  it('a dumping burst needs enough dumped listings and a majority share', () => {
    expect(isDumpingBurst(5, 6, 5, 0.6).fires).toBe(true);
    expect(isDumpingBurst(5, 20, 5, 0.6).fires).toBe(false);
    expect(isDumpingBurst(4, 4, 5, 0.6).fires).toBe(false);
    expect(isDumpingBurst(0, 0, 5, 0.6)).toEqual({ fires: false, share: 0 });
  });

  it('taint severity falls with distance', () => {
    expect([0, 1, 2].map(taintSeverity)).toEqual(['critical', 'high', 'medium']);
  });

  it('keeps only changes within the window before the spike, oldest first', () => {
    const link = (at: string, kind: ChainLink['kind']): ChainLink => ({ kind, eventId: at, type: 'account.login', occurredAt: at, detail: '' });
    const spike = Date.parse('2026-03-02T12:00:00Z');
    const chain = chainWithin(
      [link('2026-03-02T11:40:00Z', 'credentials_changed'), link('2026-03-02T11:30:00Z', 'new_device_login'), link('2026-02-20T11:00:00Z', 'payout_changed'), link('2026-03-02T12:30:00Z', 'new_ip_login')],
      spike,
      24 * 3600_000,
    );
    expect(chain.map((c) => c.kind)).toEqual(['new_device_login', 'credentials_changed']);
  });

  it('signals are built by the shared @vigil/contracts builder: id per rule version, subject and triggering event', () => {
    const subject = { type: 'seller' as const, id: 's-1', tenantId: 't' };
    const trigger = exampleEvent('listing.created', { id: 'e-1', tenantId: 't', occurredAt: '2026-03-02T12:00:00Z' });
    const related = [{ eventId: 'e-0', type: 'account.payout_changed' as const, occurredAt: '2026-03-02T11:00:00Z' }];
    const draft = { rule: SELLER_RULES.takeoverChain, severity: 'high' as const, subject, trigger, related, reason: 'chain', measurements: [] };
    const signal = sellerSignal(draft, new Date(0));
    expect(signal.signalId).toBe(signalId('seller.takeover-chain', 2, subject, 'e-1'));
    expect(sellerSignal(draft).signalId).toBe(signal.signalId);
    expect(signal).toMatchObject({ source: 'seller-detectors', mode: 'enforce', ruleVersion: 2, causationId: 'e-1', occurredAt: '2026-03-02T12:00:00Z' });
    expect(signal.triggeringEvents.map((e) => e.eventId)).toEqual(['e-1', 'e-0']);
  });
});
