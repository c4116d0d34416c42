/**
 * The platform's time as this device best knows it. The server accepts an envelope only when its
 * signed time is within a few minutes of the platform's clock, so a phone whose clock is off — or a
 * sandbox whose clock the operator moved forward — would have every signature refused; instead the
 * app signs by the platform's clock, learnt from the Date header of every answer (as AWS's SDKs
 * correct their clock skew).
 */
let offsetMs = 0;

/** Date headers count whole seconds and travel a little: a smaller difference is no skew at all. */
const NOISE_MS = 3_000;

export function learnPlatformTime(response: Response): void {
  const header = response.headers.get('date');
  if (header === null) return;
  const platform = Date.parse(header);
  if (Number.isNaN(platform)) return;
  // The header drops the milliseconds: on average the platform's time is half a second later.
  const skew = platform + 500 - Date.now();
  offsetMs = Math.abs(skew) > NOISE_MS ? skew : 0;
}

/** Now, by the platform's clock: what envelopes are signed with and deadlines compared to. */
export const platformNow = (): Date => new Date(Date.now() + offsetMs);
