/** Small dependency-free SVG charts; each has a text alternative (role="img" + aria-label) and a table nearby. */

export function BarChart({ title, rows, format }: { title: string; rows: { label: string; value: number | null }[]; format(v: number | null): string }) {
  const rowH = 22;
  const labelW = 130;
  const width = 520;
  const max = Math.max(1e-9, ...rows.map((r) => r.value ?? 0));
  const h = rows.length * rowH + 4;
  return (
    <figure style="margin:0">
      <figcaption class="muted">{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${h}`} width="100%" role="img" aria-label={`${title}：${rows.map((r) => `${r.label} ${format(r.value)}`).join('，')}`}>
        {rows.map((r, i) => {
          const w = ((r.value ?? 0) / max) * (width - labelW - 70);
          return (
            <g key={r.label} transform={`translate(0 ${i * rowH + 2})`}>
              <text x={labelW - 6} y={15} text-anchor="end" font-size="12" fill="#1d1d1f">
                {r.label.length > 9 ? `${r.label.slice(0, 9)}…` : r.label}
              </text>
              <rect x={labelW} y={3} width={Math.max(w, 0)} height={rowH - 8} fill="#b3261e" rx="2" />
              <text x={labelW + w + 6} y={15} font-size="12" fill="#5f6368">
                {format(r.value)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

export function LineChart({ title, labels, series }: { title: string; labels: string[]; series: { name: string; color: string; values: (number | null)[] }[] }) {
  const width = 520;
  const height = 200;
  const pad = { l: 40, r: 30, t: 10, b: 30 };
  const x = (i: number) => pad.l + (labels.length <= 1 ? 0 : (i / (labels.length - 1)) * (width - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - v) * (height - pad.t - pad.b);
  const desc = series.map((s) => `${s.name}：${s.values.map((v, i) => `${labels[i]} ${v === null ? '无' : `${Math.round(v * 100)}%`}`).join('，')}`).join('；');
  return (
    <figure style="margin:0">
      <figcaption class="muted">
        {title}（
        {series.map((s) => (
          <span key={s.name} style={`color:${s.color};margin-right:.5rem`}>
            ■ {s.name}
          </span>
        ))}
        ）
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={`${title}。${desc}`}>
        {[0, 0.5, 1].map((v) => (
          <g key={v}>
            <line x1={pad.l} x2={width - pad.r} y1={y(v)} y2={y(v)} stroke="#ddd" />
            <text x={pad.l - 4} y={y(v) + 4} font-size="11" text-anchor="end" fill="#5f6368">
              {v * 100}%
            </text>
          </g>
        ))}
        {labels.map((l, i) => (
          <text key={l} x={x(i)} y={height - 10} font-size="11" text-anchor="middle" fill="#5f6368">
            {l}
          </text>
        ))}
        {series.map((s) => {
          const pts = s.values.map((v, i) => (v === null ? null : `${x(i)},${y(v)}`)).filter(Boolean);
          return (
            <g key={s.name}>
              <polyline points={pts.join(' ')} fill="none" stroke={s.color} stroke-width="2" />
              {s.values.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r="3" fill={s.color} />))}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
