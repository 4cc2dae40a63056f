/** `renderReview(plan, options)`: a parsed plan in, the review in markdown or text out. Pure. */
import { PlanJson } from './plan-json';
import { buildReview, Review, ReviewOptions } from './review';
import { reviewDocument } from './review-document';
import { MarkdownOptions, renderMarkdown } from './render-markdown';
import { renderText } from './render-text';

export type ReviewFormat = 'markdown' | 'text';

export const REVIEW_FORMATS: readonly ReviewFormat[] = ['markdown', 'text'];

export interface RenderReviewOptions extends ReviewOptions {
  /** @default 'markdown' */
  format?: ReviewFormat;
  /** Size budget, stack and pointer to the full review, for markdown. */
  markdown?: MarkdownOptions;
}

export function renderReview(plan: PlanJson, options: RenderReviewOptions = {}): string {
  return renderBuiltReview(buildReview(plan, options), options.format, options.markdown);
}

/** Renders a review already built (so a caller that also needs `review.flagged` builds it once). */
export function renderBuiltReview(review: Review, format: ReviewFormat = 'markdown', markdown: MarkdownOptions = {}): string {
  const doc = reviewDocument(review);
  return format === 'text' ? renderText(doc) : renderMarkdown(doc, markdown);
}
