// Pure: the MAC of an approval token's payload part.
import { createHmac } from 'node:crypto';

// Domain separation: if the same keys ever sign another kind of link (status pages, say), a MAC made for
// that purpose can never be replayed as an approval, and vice versa.
const CONTEXT = 'bricklane/approval/v1.';

export function approvalTokenMac(payloadPart: string, key: string): Buffer {
  return createHmac('sha256', key).update(CONTEXT).update(payloadPart).digest();
}
