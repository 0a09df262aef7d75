/**
 * Ground truth of a run. `fraud` means "an alert about this entity is wanted": the fraudster's
 * own accounts, but also a victim a detector should surface (the seller under a complaint
 * campaign, the user who received tainted funds). `legit` means "an alert here is a false alarm".
 */
/** The simulator labels the first seven; analysts' decisions (labels:export) may be about any subject type. */
export const LABEL_ENTITY_TYPES = ['account', 'seller', 'listing', 'wallet', 'card', 'device', 'promo_code', 'product', 'ip', 'address'] as const;
export type LabelEntityType = (typeof LABEL_ENTITY_TYPES)[number];
export type LabelValue = 'fraud' | 'legit';

export interface EntityLabel {
  entityType: LabelEntityType;
  entityId: string;
  label: LabelValue;
  /** The injected pattern, or "ordinary" for legit traffic. */
  pattern: string;
}

export class LabelBook {
  private readonly byId = new Map<string, EntityLabel>();

  legit(entityType: LabelEntityType, entityId: string): void {
    if (!this.byId.has(entityId)) this.byId.set(entityId, { entityType, entityId, label: 'legit', pattern: 'ordinary' });
  }

  /** Fraud wins over legit: an entity that was ordinary until a pattern took it over is fraud. */
  fraud(entityType: LabelEntityType, entityId: string, pattern: string): void {
    const existing = this.byId.get(entityId);
    if (existing?.label === 'fraud') return;
    this.byId.set(entityId, { entityType, entityId, label: 'fraud', pattern });
  }

  all(): EntityLabel[] {
    return [...this.byId.values()].sort(
      (a, b) => a.entityType.localeCompare(b.entityType) || a.entityId.localeCompare(b.entityId),
    );
  }
}

const CSV_HEADER = 'entity_type,entity_id,label,pattern';

/** Ids and pattern names never contain commas or quotes (see ID_PATTERN), so no quoting is needed. */
export function labelsToCsv(labels: readonly EntityLabel[]): string {
  return [CSV_HEADER, ...labels.map((l) => `${l.entityType},${l.entityId},${l.label},${l.pattern}`)].join('\n') + '\n';
}

export function parseLabelsCsv(csv: string): EntityLabel[] {
  const lines = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines[0]?.trim() !== CSV_HEADER) throw new Error(`labels CSV must start with the header "${CSV_HEADER}"`);
  return lines.slice(1).map((line, index) => {
    const [entityType, entityId, label, pattern] = line.split(',');
    if (!entityId || (label !== 'fraud' && label !== 'legit') || !pattern) {
      throw new Error(`labels CSV line ${index + 2} is malformed: "${line}"`);
    }
    return { entityType: entityType as LabelEntityType, entityId, label, pattern };
  });
}
