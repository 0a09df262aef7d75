import { SimulatedEvent } from './timeline';

export function eventsToNdjson(events: readonly SimulatedEvent[]): string {
  return events.map((event) => JSON.stringify(event)).join('\n') + '\n';
}

/** Parses NDJSON, naming the line of the first malformed record. */
export function parseNdjson(text: string): unknown[] {
  const records: unknown[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line));
    } catch (error) {
      throw new Error(`line ${index + 1} is not valid JSON: ${(error as Error).message}`);
    }
  });
  return records;
}
