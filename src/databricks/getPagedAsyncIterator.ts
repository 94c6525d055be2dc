// Pure: list results as an async iterator over items with `.byPage()`, the Azure SDK for JS list shape
// (azure-sdk guidelines "Pagination"; @azure/core-paging PagedAsyncIterableIterator).
import { DatabricksInvalidRequestError } from './DatabricksApiError';

export interface PageSettings {
  /** Resume from a token an earlier page returned. */
  continuationToken?: string;
}

export interface PagedAsyncIterableIterator<TItem, TPage = TItem[]> {
  next(): Promise<IteratorResult<TItem>>;
  [Symbol.asyncIterator](): PagedAsyncIterableIterator<TItem, TPage>;
  byPage(settings?: PageSettings): AsyncIterableIterator<TPage>;
}

export interface Page<TItem> {
  items: TItem[];
  /** Absent (or empty) on the last page. */
  continuationToken: string | undefined;
}

/**
 * Fetches pages lazily: a caller that stops early makes no further requests. A token the server hands out
 * twice in a row stops iteration with an error instead of looping forever.
 */
export function getPagedAsyncIterator<TItem>(
  getPage: (continuationToken: string | undefined) => Promise<Page<TItem>>,
  endpoint: string,
): PagedAsyncIterableIterator<TItem> {
  async function* pages(settings: PageSettings = {}): AsyncIterableIterator<TItem[]> {
    let token = settings.continuationToken;
    for (;;) {
      const page = await getPage(token);
      yield page.items;
      const next = page.continuationToken;
      if (next === undefined || next === '') return;
      if (next === token) {
        throw new DatabricksInvalidRequestError({
          code: 'REPEATED_PAGE_TOKEN',
          endpoint,
          detail: `the server returned the same page token twice (${next}); stopping instead of looping`,
        });
      }
      token = next;
    }
  }
  async function* items(): AsyncIterableIterator<TItem> {
    for await (const page of pages()) yield* page;
  }
  const iterator = items();
  const paged: PagedAsyncIterableIterator<TItem> = {
    next: () => iterator.next(),
    [Symbol.asyncIterator]: () => paged,
    byPage: (settings?: PageSettings) => pages(settings),
  };
  return paged;
}
