"""Checks every page of the dashboard must pass in a real browser.

- :func:`overflow`: nothing is wider than the viewport (no sideways scrolling on a phone);
- :func:`untranslated`: no English interface string is left on a page in another language;
- :func:`accessibility`: axe-core finds no serious or critical violation.

axe-core is vendored under tests/support/vendor/ with its licence (MPL-2.0); it is
evaluated into the page through the browser's debugging protocol, which the app's
Content-Security-Policy does not (and need not) allow for page scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from onpace.web.i18n import STRINGS

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"

_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = document.documentElement.scrollWidth;
  if (wide <= width) return [];
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1) {
      const parent = el.parentElement && el.parentElement.getBoundingClientRect();
      if (parent && parent.right > width + 1) continue;  // report the outermost only
      out.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(box.right)}`);
    }
  }
  return [`page ${wide} px wide in a ${width} px viewport`, ...out.slice(0, 8)];
}"""

_TEXTS = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode;
    const tag = node.parentElement ? node.parentElement.tagName : '';
    if (tag === 'SCRIPT' || tag === 'STYLE') continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
    for (const name of ['placeholder', 'aria-label', 'title']) {
      const value = el.getAttribute(name);
      if (value) out.push(value.trim());
    }
  }
  return out;
}"""

# a word or a number (its parts held by no-break spaces) that a table cell shows on
# more than one line: "Om|zet", "€ 30|0,00"
_SPLIT_WORDS = r"""() => {
  const hidden = el => {  // not shown, or only to screen readers (clipped, 1 px)
    for (let e = el; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.display === 'none' || style.visibility === 'hidden') return true;
      if (style.clip && style.clip !== 'auto') return true;
      if (e.getBoundingClientRect().width <= 1) return true;
    }
    return false;
  };
  const out = [];
  for (const cell of document.querySelectorAll('table td, table th')) {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) {
      const node = walk.currentNode;
      if (hidden(node.parentElement)) continue;
      // a no-break space holds a number's parts together: "€ 300,00" is one token
      const text = node.textContent.replace(/\u00a0/g, '_');
      for (const m of text.matchAll(/\S{2,}/g)) {
        if (m[0].length > 20) continue;  // a long token (a moment, a path) may wrap
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        const tops = new Set(rects.map(r => Math.round(r.top)));
        if (tops.size > 1) out.push(m[0].replace(/_/g, ' '));
      }
    }
  }
  return [...new Set(out)].slice(0, 8);
}"""

_AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
    resultTypes: ['violations'],
  });
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3)
      .map(n => n.target.join(' ')).join(' | ')}`);
}"""


def overflow(page: Any) -> list[str]:
    """What sticks out beyond the viewport's width ([] when nothing does)."""
    found: list[str] = page.evaluate(_OVERFLOW)
    return found


def split_words(page: Any) -> list[str]:
    """Words and numbers a table shows broken over two lines ([] when none is)."""
    found: list[str] = page.evaluate(_SPLIT_WORDS)
    return found


def english_only(language: str) -> set[str]:
    """The English interface strings that ``language`` translates differently."""
    other = STRINGS[language]
    return {
        text
        for key, text in STRINGS["en"].items()
        if other.get(key, text) != text and len(text) > 2
    }


def untranslated(page: Any, language: str) -> list[str]:
    """English interface strings shown whole on a page meant to be in ``language``."""
    if language == "en":
        return []
    english = english_only(language)
    shown: list[str] = page.evaluate(_TEXTS)
    return sorted({t for t in shown if t in english})


def accessibility(page: Any) -> list[str]:
    """axe-core's serious and critical violations of the page, each with where it is."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found: list[str] = page.evaluate(_AXE_RUN)
    return found
