"""Read the text on a page with the colours it is painted in, and measure its contrast
(WCAG 2 relative luminance), for the theme tests in exported pages and in JupyterLab.

``READ_TEXTS`` runs in the page: for every piece of visible text under a root (SVG
``<text>`` and HTML elements with their own text) it returns the text, the colour it is
drawn in (SVG fill or CSS colour, with its alpha) and the colour behind it: an SVG's own
``rect.background`` when it has one (the static picture), else the nearest HTML
ancestor with a background colour.
"""

from __future__ import annotations

READ_TEXTS = """(rootSelector) => {
  const parse = (css) => {
    const m = /rgba?\\(([^)]*)\\)/.exec(css || '');
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const behind = (el) => {
    const svg = el.ownerSVGElement;
    const backdrop = svg && svg.querySelector(':scope > rect.background');
    if (backdrop) return parse(getComputedStyle(backdrop).fill);
    for (let e = svg || el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) return c;
    }
    return [255, 255, 255, 1];
  };
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none'
      && !el.closest('[aria-hidden="true"], .dhg-controller, .digitheat-pending');
  };
  const out = [];
  for (const root of document.querySelectorAll(rootSelector)) {
    for (const el of root.querySelectorAll('text')) {
      if (el.textContent.trim() && shown(el)) {
        out.push({ text: el.textContent, kind: el.closest('.mainheading, .dhs-title') ? 'title' : 'tick',
                   ink: parse(getComputedStyle(el).fill), behind: behind(el) });
      }
    }
    for (const el of root.querySelectorAll('*')) {
      if (el instanceof SVGElement) continue;
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (own && shown(el)) {
        out.push({ text: el.textContent.trim().slice(0, 40), kind: 'html',
                   ink: parse(getComputedStyle(el).color), behind: behind(el) });
      }
    }
  }
  return out;
}"""


def _luminance(rgb: tuple[float, float, float]) -> float:
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def over(ink: list[float], backdrop: list[float]) -> tuple[float, float, float]:
    """``ink`` (r, g, b, alpha) painted over an opaque ``backdrop``."""
    alpha = ink[3]
    return tuple(alpha * ink[i] + (1 - alpha) * backdrop[i] for i in range(3))  # type: ignore[return-value]


def contrast_ratio(ink: list[float], backdrop: list[float]) -> float:
    """WCAG contrast of ``ink`` (alpha composited) on ``backdrop``, 1.0 .. 21.0."""
    hi, lo = sorted([_luminance(over(ink, backdrop)), _luminance(tuple(backdrop[:3]))], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def low_contrast(texts: list[dict], minimum: float = 4.5) -> list[tuple[str, str, float]]:
    """The texts read by ``READ_TEXTS`` below ``minimum``: (kind, text, ratio)."""
    return [(t["kind"], t["text"], round(contrast_ratio(t["ink"], t["behind"]), 2))
            for t in texts if contrast_ratio(t["ink"], t["behind"]) < minimum]


def is_dark(rgb: list[float]) -> bool:
    return _luminance(tuple(rgb[:3])) < 0.2
