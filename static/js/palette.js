// Colour-blind-safe palettes. Counts and densities: viridis (perceptually
// uniform, readable in greyscale and by people with any common colour
// vision deficiency). Gi*: ColorBrewer RdBu, diverging cold (blue) to hot
// (red) around a neutral grey. Networks: Okabe & Ito's eight colours.
// Each colour has a class of the same index in app.css for the legend.

export const VIRIDIS = ['#440154', '#443983', '#31688e', '#21918c', '#35b779', '#90d743', '#fde725'];

// Gi* bins −3..3 (99, 95, 90 % cold; not significant; 90, 95, 99 % hot).
export const RDBU = { '-3': '#2166ac', '-2': '#67a9cf', '-1': '#d1e5f0', 0: '#f7f7f7', 1: '#fddbc7', 2: '#ef8a62', 3: '#b2182b' };
export const GI_LABELS = {
  3: 'Hot spot, 99% confidence', 2: 'Hot spot, 95% confidence', 1: 'Hot spot, 90% confidence',
  0: 'Not significant',
  '-1': 'Cold spot, 90% confidence', '-2': 'Cold spot, 95% confidence', '-3': 'Cold spot, 99% confidence',
};

export const OKABE_ITO = ['#e69f00', '#56b4e9', '#009e73', '#f0e442', '#0072b2', '#d55e00', '#cc79a7', '#000000'];

export const SUPPRESSED_FILL = 'url(#cm-hatch)';

// breaks splits positive values into at most n classes at quantiles,
// rounded to tidy numbers, so a few very busy cells do not wash out the
// rest. Returns ascending upper bounds; the last is the maximum.
export function breaks(values, n = VIRIDIS.length) {
  const v = values.filter((x) => x > 0 && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return [];
  const out = [];
  for (let i = 1; i <= n; i++) {
    const q = v[Math.min(v.length - 1, Math.ceil((i / n) * v.length) - 1)];
    const t = tidy(q);
    if (!out.length || t > out[out.length - 1]) out.push(t);
  }
  out[out.length - 1] = Math.max(out[out.length - 1], v[v.length - 1]);
  return out;
}

function tidy(x) {
  if (x >= 10) return Math.round(x);
  if (x >= 1) return Math.round(x * 10) / 10;
  const p = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Math.round(x / p) * p;
}

// classOf is the index of the class holding x.
export function classOf(x, bounds) {
  for (let i = 0; i < bounds.length; i++) if (x <= bounds[i]) return i;
  return bounds.length - 1;
}

// colourIndex spreads k classes over the palette's length.
export function spread(i, k, len = VIRIDIS.length) {
  if (k <= 1) return len - 1;
  return Math.round((i * (len - 1)) / (k - 1));
}
