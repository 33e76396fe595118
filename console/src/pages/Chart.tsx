// One uPlot chart of a session's figures over time; it follows its container's width.
import { useEffect, useRef } from "react";
import uPlot from "uplot";

export type Series = { label: string; values: (number | null)[]; color: string; scale?: string };

export function Chart({ title, times, series }: { title: string; times: number[]; series: Series[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.label).join("|");

  useEffect(() => {
    const el = box.current!;
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    const axis = { stroke: dark ? "#9da7b3" : "#57606a", grid: { stroke: dark ? "#30363d" : "#d0d7de", width: 1 } };
    const scales = new Set(series.map((s) => s.scale ?? "y"));
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height: 180,
      title,
      scales: { x: { time: true } },
      axes: [axis, ...[...scales].map((s, i) => ({ ...axis, scale: s, side: i === 0 ? 3 : 1 }))],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, scale: s.scale ?? "y" }))],
    };
    plot.current = new uPlot(opts, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(el.clientWidth, 200), height: 180 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of series changes; data updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, title]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [times, series]);

  return <div className="chart" ref={box} role="img" aria-label={`${title} chart over the last minutes`} />;
}
