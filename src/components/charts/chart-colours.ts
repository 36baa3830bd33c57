/**
 * Colours that charts set themselves, as the custom properties global.css gives a light and a dark value,
 * each with its light value as a fallback: an exported SVG carries no stylesheet and is always light.
 * Everything else in a Plot chart (text, axes, grid) is drawn in currentColor and follows the page.
 */

/** Reference lines (y = 1, ideal scaling, the serial time): grey in both themes, quieter than the data. */
export const CHART_RULE = 'var(--chart-rule, #999)';

/** The page's background, for the hairline gaps drawn between neighbouring timeline bars. */
export const CHART_BACKGROUND = 'var(--bg, white)';
