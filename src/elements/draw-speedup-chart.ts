/** The results element's speedup chart: the placed marks of speedup-plot.ts drawn as SVG, with a legend. */
import { formatTimes } from '../analysis/number-format.ts';
import type { CurvePoint, SpeedupMark } from '../analysis/speedup-series.ts';
import { h, svg } from './dom.ts';
import { REFERENCE_COLOUR, speedupPlot } from './speedup-plot.ts';

/** A figure with the chart and its legend; `label` names it for screen readers. */
export function drawSpeedupChart(marks: readonly SpeedupMark[], curves: readonly CurvePoint[], label: string): HTMLElement {
  const plot = speedupPlot(marks, curves);
  const { frame } = plot;
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${frame.widthPx} ${frame.heightPx}`, role: 'img', 'aria-label': label, class: 'chart' },
    svg('title', {}, label),
    svg('rect', { x: frame.leftPx, y: frame.topPx, width: frame.rightPx - frame.leftPx, height: frame.bottomPx - frame.topPx, class: 'plot-area' }),
    plot.yTicks.map((t) => [
      svg('line', { x1: frame.leftPx, x2: frame.rightPx, y1: t.px, y2: t.px, class: 'grid' }),
      svg('text', { x: frame.leftPx - 4, y: t.px, class: 'tick y' }, t.label),
    ]),
    plot.xTicks.map((t) => svg('text', { x: t.px, y: frame.bottomPx + 14, class: 'tick x' }, t.label)),
    // Axis labels inside the chart, as the lab's charts have them.
    svg('text', { x: frame.rightPx, y: frame.heightPx - 4, class: 'axis-label end' }, 'lanes (workers or async tasks) →'),
    svg('text', { x: frame.leftPx - 36, y: 12, class: 'axis-label' }, '↑ speedup over serial'),
    svg('line', { x1: frame.leftPx, x2: frame.rightPx, y1: plot.oneYPx, y2: plot.oneYPx, stroke: REFERENCE_COLOUR, class: 'one' }),
    plot.curves.map((c) => svg('path', { d: c.path, stroke: c.colour, class: `curve ${c.kind}`, 'data-curve': c.name })),
    plot.series.map((s) =>
      svg(
        'g',
        { 'data-series': s.name, stroke: s.colour, fill: s.colour },
        svg('polyline', { points: s.points.map((p) => `${p.xPx.toFixed(1)},${p.yPx.toFixed(1)}`).join(' '), class: 'joins' }),
        s.points.map((p) => [
          svg('line', { x1: p.xPx, x2: p.xPx, y1: p.lowPx, y2: p.highPx, class: 'interval' }),
          svg(
            'circle',
            { cx: p.xPx, cy: p.yPx, r: 4, 'data-workers': p.workers, 'data-speedup': p.speedup },
            svg('title', {}, `${s.name} × ${p.workers}: ${formatTimes(p.speedup)} (95%: ${formatTimes(p.low)}–${formatTimes(p.high)})`),
          ),
        ]),
      ),
    ),
  );
  const swatch = (colour: string, dashed: boolean) => {
    const element = h('i', { class: dashed ? 'swatch dashed' : 'swatch' });
    // Through the CSSOM, not a style attribute: a host page's CSP may refuse inline styles.
    element.style.setProperty('--colour', colour);
    return element;
  };
  const legend = h(
    'ul',
    { class: 'legend' },
    plot.series.map((s) => h('li', {}, swatch(s.colour, false), s.name)),
    plot.curves.map((c) => h('li', {}, swatch(c.colour, true), c.kind === 'ideal' ? 'ideal (speedup = lanes)' : c.name)),
  );
  return h('figure', { class: 'speedup' }, legend, chart);
}
