"""Checks of a whole page in the browser: horizontal scroll, tables that scroll inside, labels
broken mid-word, and axe-core's WCAG 2.1 A/AA rules. Each returns the problems it finds as
readable lines, so that a test reports every problem of a page at once."""

import re
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_LAYOUT = """() => {
  const page = document.documentElement;
  const problems = [];
  if (page.scrollWidth > page.clientWidth) {
    // Name the innermost elements that reach beyond the window (on the right, or on the left of a
    // right-to-left page), to show where to look.
    const beyond = [...document.body.querySelectorAll('*')]
      .filter(e => e.getBoundingClientRect().right > page.clientWidth + 1 || e.getBoundingClientRect().left < -1);
    const culprits = beyond.filter(e => !beyond.some(other => other !== e && e.contains(other))).slice(0, 3)
      .map(e => `<${e.tagName.toLowerCase()} class="${e.className}"> "${e.textContent.trim().slice(0, 30)}"`);
    problems.push(`the page scrolls sideways: ${page.scrollWidth} px wide in a ${page.clientWidth} px window`
      + ` (${culprits.join(', ')})`);
  }
  // A box that scrolls sideways hides part of its content: the portal's wide tables, the
  // admin's navigation and the admin's change lists.
  for (const box of document.querySelectorAll('.table-responsive, #nav-sidebar, #changelist .results')) {
    if (box.scrollWidth > box.clientWidth + 1 && box.clientWidth > 0) {
      const table = box.querySelector('table');
      const name = (box.id || table && (table.id || table.querySelector('th')?.textContent) || '').trim();
      problems.push(`"${name.slice(0, 40)}" scrolls inside its box: ${box.scrollWidth} px in ${box.clientWidth} px`);
    }
  }
  // Something that sticks out of its card (a button pushed out by a long German title): the
  // page may not scroll, but the card's border cuts through it.
  for (const card of document.querySelectorAll('.card')) {
    const edge = card.getBoundingClientRect().right;
    for (const e of card.querySelectorAll('.card-header *, .card-body *, .card-footer *')) {
      if (e.closest('.table-responsive, .visually-hidden, .visually-hidden-focusable')) continue;
      const box = e.getBoundingClientRect();
      if (box.width > 0 && box.right > edge + 1) {
        problems.push(`<${e.tagName.toLowerCase()}> "${e.textContent.trim().slice(0, 30)}" sticks out of its card`
          + ` by ${Math.round(box.right - edge)} px`);
        break;
      }
    }
  }
  // A word of a label that the browser had to split across two lines (hyphens, dashes, slashes
  // and soft hyphens are places where a word may break).
  const labels = 'label, legend, dt, th, .btn, .nav-link, .navbar-text, .badge, .card-header, h1, h2, h3';
  for (const element of document.querySelectorAll(labels)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('.visually-hidden, .visually-hidden-focusable')) continue;
      for (const word of node.data.matchAll(/[^\\s\\-\\/\\u00ad\\u2013\\u2014]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        let rects = [...range.getClientRects()].filter(r => r.width > 0);
        if (word.index > 0 && node.data[word.index - 1] === '\u00ad') {
          // A soft hyphen that broke the line: the range also holds the hyphen the browser drew.
          const hyphen = document.createRange();
          hyphen.setStart(node, word.index - 1);
          hyphen.setEnd(node, word.index);
          const drawn = [...hyphen.getClientRects()].map(r => `${r.left},${r.top}`);
          rects = rects.filter(r => !drawn.includes(`${r.left},${r.top}`));
        }
        const lines = new Set(rects.map(r => Math.round(r.top)));
        if (lines.size > 1) problems.push(`"${word[0]}" is broken across lines in <${element.tagName.toLowerCase()}>`);
      }
    }
  }
  return problems;
}"""


def layout_problems(page: Page, *, tables_fit: bool) -> list[str]:
    """What is wrong with the page's layout at the current window width.

    With `tables_fit` (a laptop), tables must fit without scrolling inside their box; on a
    phone they may scroll there, but never the page.
    """
    problems = page.evaluate(_LAYOUT)
    if not tables_fit:
        problems = [line for line in problems if "scrolls inside its box" not in line]
    return problems


def axe_run(page: Page, *, targets: bool = False) -> tuple[list[str], list[str]]:
    """One run of axe-core over the page: its violations of WCAG 2.1 A and AA, one line per rule;
    and with `targets`, the controls its `target-size` rule finds (see `small_targets`), which
    are then not among the violations. One run instead of two: a run walks the whole page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: a <script> tag added to the page would be an
        # inline script, which the portal's Content-Security-Policy refuses.
        page.evaluate(AXE.read_text())
    violations = page.evaluate(
        "([tags, targets]) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " rules: targets ? {'target-size': {enabled: true}} : {}, resultTypes: ['violations']})"
        ".then(result => result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.map(n => n.target.join(' ')),"
        " nodes: v.nodes.map(n => n.target.join(' ') + (n.failureSummary ? ' – ' +"
        " n.failureSummary.split('\\n').slice(1, 2).join('') : ''))})))",
        [WCAG_21_AA, targets],
    )
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} – {len(v['nodes'])} element(s): " + "; ".join(v["nodes"][:3])
        for v in violations
        if v["id"] != "target-size"
    ]
    small = [target for v in violations if v["id"] == "target-size" for target in v["targets"]]
    return lines, small


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations of WCAG 2.1 A and AA on the page, one line per rule."""
    return axe_run(page)[0]


def small_targets(page: Page) -> list[str]:
    """axe-core's `target-size` rule (WCAG 2.2, 2.5.8): controls smaller than 24 × 24 px without
    enough space around them; inline links in running text are exempt, as the criterion says."""
    return axe_run(page, targets=True)[1]


_OVERLAPS = """() => {
  // Visible controls, labels and headings whose boxes cover each other (not one inside the other):
  // a right-to-left layout gone wrong puts a label over its field or a button over a title. An
  // inline link over two lines is compared line by line (its bounding box would cover both lines).
  const boxes = e => {
    if (e.closest('.visually-hidden, .visually-hidden-focusable, [aria-hidden="true"], .d-none')) return [];
    const closed = e.closest('details:not([open])');
    if (closed && !e.closest('summary')) return [];
    const style = getComputedStyle(e);
    if (style.visibility === 'hidden' || style.display === 'none' || style.position === 'fixed') return [];
    return [...e.getClientRects()].filter(box => box.width > 2 && box.height > 2);
  };
  const items = [...document.querySelectorAll('a, button, input, select, textarea, label, h1, h2, h3, .badge')]
    .map(e => [e, boxes(e)]).filter(([, rects]) => rects.length);
  const covers = (p, q) =>
    Math.min(p.right, q.right) - Math.max(p.left, q.left) > 2
    && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 2;
  const name = e => `<${e.tagName.toLowerCase()}> "${(e.textContent || e.name || '').trim().slice(0, 25)}"`;
  const problems = [];
  for (let i = 0; i < items.length && problems.length < 5; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const [a, ps] = items[i], [b, qs] = items[j];
      if (a.contains(b) || b.contains(a)) continue;
      if (ps.some(p => qs.some(q => covers(p, q)))) {
        problems.push(`${name(a)} and ${name(b)} overlap`);
        break;
      }
    }
  }
  return problems;
}"""


def overlap_problems(page: Page) -> list[str]:
    """Controls, labels and headings drawn over each other (one inside the other is no overlap)."""
    return page.evaluate(_OVERLAPS)


# --- what the Content-Security-Policy refused, and script errors ------------------------------------

WATCH = """() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(
    `${e.effectiveDirective} refused ${e.blockedURI || 'inline'} in ${e.sourceFile || 'the page'}`
    + `:${e.lineNumber} ${e.sample ? '(' + e.sample + ')' : ''}`));
}"""
POLICY_WORDS = re.compile(r"Content.Security.Policy|Permissions.Policy|securitypolicyviolation", re.I)


class Watch:
    """What a page reports that the policy refused or a script failed at, as readable lines."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(script=f"({WATCH})()")
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))

    def _console(self, message) -> None:
        # Any console error counts (a refused script, a failed load of a static file); warnings
        # only where they are about a policy (Chromium warns of an unknown Permissions-Policy feature).
        if message.type == "error" or POLICY_WORDS.search(message.text):
            where = message.location.get("url", "")
            self.problems.append(f"console {message.type}: {message.text} ({where})")

    def check(self) -> list[str]:
        """Everything reported so far (call before the page navigates away)."""
        recorded = self.page.evaluate("window.__violations || []")
        return self.problems + [f"securitypolicyviolation: {line}" for line in recorded]


_watches: dict[Page, Watch] = {}


def watch(page: Page) -> Watch:
    """Watch `page` from now on (call before it loads), until it closes: see `script_problems`."""
    _watches[page] = Watch(page)
    page.once("close", lambda closed: _watches.pop(closed, None))
    return _watches[page]


def script_problems(page: Page) -> list[str]:
    """What the policy refused or a script failed at on a page `watch` was called on, as readable lines."""
    return _watches[page].check()
