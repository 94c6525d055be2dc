// Pure: what to answer for a link that did not verify. The status tells scripts what happened; the page
// tells people what to do. Nothing about the token itself is echoed back.
import type { ApprovalTokenVerification } from './verifyApprovalToken';

type Failure = Extract<ApprovalTokenVerification, { ok: false }>['reason'];

export function describeTokenFailure(reason: Failure): {
  status: 400 | 403 | 410;
  title: string;
  message: string;
} {
  switch (reason) {
    case 'malformed':
      return {
        status: 400,
        title: 'Invalid link',
        message:
          'This approval link is incomplete or damaged. Copy the whole link from the message you received.',
      };
    case 'badSignature':
      return {
        status: 403,
        title: 'Invalid link',
        message:
          'This approval link was not issued by this bricklane app, or its signing key has been retired. ' +
          'Ask for a new link.',
      };
    case 'expired':
      return {
        status: 410,
        title: 'Link expired',
        message: 'This approval link has expired. The release stops waiting when its approval time runs out.',
      };
  }
}
