// Pure: an outcome page as an HTTP answer (status, security headers, HTML).
import type { HttpResponseInit } from '@azure/functions';
import { htmlResponse } from './htmlResponse';
import { renderMessagePage } from './renderMessagePage';

export function messageResponse(
  status: number,
  title: string,
  message: string,
  details: ReadonlyArray<readonly [string, string]> = [],
  headers: Record<string, string> = {},
): HttpResponseInit {
  return htmlResponse(status, renderMessagePage(title, message, status, details), headers);
}
