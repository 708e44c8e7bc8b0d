import {escapeHtml} from './html-escape.js'

/** The font every text of racelab's pictures names (an attribute, so a picture is one file, no CSS). */
export const SVG_FONT = 'font-family="system-ui,-apple-system,Segoe UI,sans-serif"'

/** What the root element of a picture says: its class (the page's CSS hooks), its size and what it shows. */
export interface SvgFrame {
  className: string
  width: number
  height: number
  /** Read by screen readers; escaped here, as everything from a run must be. */
  label: string
}

/**
 * One of racelab's SVG pictures: the root element (a standalone image and inline in HTML alike),
 * then its parts one per line. Every string from a run inside the parts is the caller's to escape
 * (`escapeHtml`): valid XML either way.
 */
export function svgDocument(frame: SvgFrame, parts: readonly string[]): string {
  const {className, width, height, label} = frame
  return `<svg xmlns="http://www.w3.org/2000/svg" class="${escapeHtml(className)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(label)}">
${parts.join('\n')}
</svg>`
}
