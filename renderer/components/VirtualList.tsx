/**
 * A list that puts only the visible rows in the DOM: fixed-height rows, absolutely placed in
 * a scroll container, plus a few rows above and below, plus the row holding the focus (so
 * that keyboard focus survives scrolling). Tab moves through the rendered rows in order; as
 * the browser scrolls the focused row into view, the next rows are rendered.
 */
import { useState, type HTMLAttributes, type ReactNode } from 'react';

/** Rows rendered beyond the visible ones, on each side. */
const OVERSCAN = 8;

/** One row: its React key, the attributes of its `<li>` and its content. */
export interface VirtualRow {
  key: string;
  props?: HTMLAttributes<HTMLLIElement>;
  content: ReactNode;
}

/** A virtualised `<ul>` named `label`, `count` rows of `rowHeight` pixels, at most `maxHeight` tall. */
export function VirtualList({
  count,
  rowHeight,
  maxHeight,
  label,
  row,
  testId,
}: {
  count: number;
  rowHeight: number;
  maxHeight: number;
  label: string;
  row: (index: number) => VirtualRow;
  testId?: string;
}) {
  const [scrollTop, setScrollTop] = useState(0);
  const [focusIndex, setFocusIndex] = useState<number | null>(null);
  const height = Math.min(maxHeight, Math.max(count, 1) * rowHeight + 2);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const indexes: number[] = [];
  const focused = focusIndex !== null && focusIndex < count ? focusIndex : null;
  if (focused !== null && focused < first) indexes.push(focused);
  for (let i = first; i < last; i++) indexes.push(i);
  if (focused !== null && focused >= last) indexes.push(focused);

  return (
    <div
      className="vlist"
      style={{ height }}
      data-testid={testId}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onFocus={(e) => {
        const li = (e.target as HTMLElement).closest('li[data-index]');
        if (li) setFocusIndex(Number(li.getAttribute('data-index')));
      }}
    >
      <ul aria-label={label} className="vlist-rows" style={{ height: count * rowHeight }}>
        {indexes.map((i) => {
          const r = row(i);
          return (
            <li key={r.key} data-index={i} {...r.props} className={`vrow ${r.props?.className ?? ''}`} style={{ ...r.props?.style, top: i * rowHeight, height: rowHeight }}>
              {r.content}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
