const SHANGHAI_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day in China (UTC+8, no DST) of an instant, as `YYYY-MM-DD`: tracking numbers count per local day. */
export function shanghaiDay(at: Date): string {
  return SHANGHAI_DAY.format(at);
}

/** `YL20261127-000123`: prefix, the local day, and that day's sequence number (six digits, more if ever needed). */
export function formatTrackingNo(prefix: string, day: string, sequence: number): string {
  return `${prefix}${day.replaceAll('-', '')}-${String(sequence).padStart(6, '0')}`;
}
