"""The HTML licence report in a real browser (Debian's Chromium, headless; `make test` installs it): on a 390 px phone
no element reaches past the screen's edge (tables included: nothing is cut off) and no id, header or other word is
broken across two lines, and at 1280 px no summary card wraps its figure.

``render`` is shared with test_mail_bodies.py, which measures the mails the same way."""

import html
import json
import re
import shutil
import subprocess

import pytest

ADJUST = "ingrammicro.marketplace.adjust_licenses"
REPORT = "ingrammicro.marketplace.license_report"
# Runs in a page once it has loaded (written into it before </body>; the pages themselves hold no script) and reports
# to the frame's parent: every element box past the viewport's edges; every element whose content is wider than its
# box (cut off, or scrolled); every word (text between spaces) laid out on more than one line; every card figure on
# more than one line.
PROBE = """<script>
window.addEventListener('load', function () {
  var width = document.documentElement.clientWidth, wide = [], cut = [], broken = [], wrapped = [];
  function where(el) { return el.tagName + (el.className ? '.' + el.className : '') + ' in #' + (el.closest('[id]') || {}).id; }
  document.querySelectorAll('body *').forEach(function (el) {
    var box = el.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5)) {
      wide.push(where(el) + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) { cut.push(where(el) + ' ' + el.scrollWidth + '>' + el.clientWidth); }
  });
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), range = document.createRange();
  while (walker.nextNode()) {
    var node = walker.currentNode, word = /\\S+/g, found;
    while ((found = word.exec(node.data))) {
      range.setStart(node, found.index);
      range.setEnd(node, found.index + found[0].length);
      var tops = [];
      Array.prototype.forEach.call(range.getClientRects(), function (rect) {
        if (rect.width > 0 && !tops.some(function (top) { return Math.abs(top - rect.top) < 2; })) { tops.push(rect.top); }
      });
      if (tops.length > 1) { broken.push(found[0] + ' in ' + where(node.parentElement)); }
    }
  }
  document.querySelectorAll('.card b').forEach(function (el) {
    if (el.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(el).lineHeight)) { wrapped.push(el.id); }
  });
  var out = parent.document.createElement('pre');
  out.className = 'layout';
  out.textContent = JSON.stringify({name: window.frameElement.name, viewport: width, wide: wide, cut: cut, broken: broken,
                                    wrapped: wrapped, deferred: document.querySelectorAll('#deferred-decreases tr[data-subscription]').length,
                                    auto_renew_off: document.querySelectorAll('#auto-renew-off tr[data-subscription]').length});
  parent.document.body.appendChild(out);
});
</script>"""


def render(pages, tmp_path):
    """What the probe found in each of ``pages`` (``[(name, html, width)]``), each in a frame ``width`` px wide (a
    browser window cannot be made that narrow), all in one run of the browser: ``{name: findings}``."""
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed for this test: make browser installs it"
    frames = "".join('<iframe name="%s" style="display:block;width:%dpx;height:1200px;border:0" srcdoc="%s"></iframe>'
                     % (html.escape(name), width, html.escape(page.replace("</body>", PROBE + "</body>"), quote=True))
                     for name, page, width in pages)
    host = tmp_path / "host.html"
    host.write_text('<!DOCTYPE html><html><body style="margin:0">%s</body></html>' % frames, encoding="utf-8")
    dom = subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1400,1300",
                          "--virtual-time-budget=10000", "--dump-dom", host.as_uri()], capture_output=True, text=True, timeout=180,
                         check=False).stdout
    found = {}
    for text in re.findall(r'<pre class="layout">(.*?)</pre>', dom, re.S):
        result = json.loads(html.unescape(text))
        found[result["name"]] = result
    assert sorted(found) == sorted(name for name, _page, _width in pages), dom[-2000:]
    return found


@pytest.fixture(scope="module")
def report_page(simulator, tmp_path_factory):
    """A report with every section filled: a deferred decrease, auto-renew off, renewals, spend."""
    from tests.integration.conftest import playbook_command, playbook_environment, REPO
    from tests.simulator.harness import ApiClient

    directory = tmp_path_factory.mktemp("layout")
    simulator.reset()
    api = ApiClient(simulator)
    assert api.session.patch(api.base + "/subscriptions/3000006", json={"renewalStatus": False}, timeout=10).ok
    for playbook, variables in ((ADJUST, {"license_adjustment_licenses": [{"customer": "ACME-001", "mpn": "CFQ7TTC0LDPB:0001:P1Y",
                                                                           "quantity": 20}],
                                          "license_adjustment_allow_decrease": True, "license_adjustment_decrease_window_days": 0,
                                          "license_adjustment_output_dir": str(directory / "audit")}),
                                (REPORT, {"license_report_dir": str(directory / "report"),
                                          "license_report_adjustment_dir": str(directory / "audit")})):
        run = subprocess.run(playbook_command(simulator, playbook, variables, verbosity=0), cwd=REPO,
                             env=playbook_environment(simulator, directory / "cache"), text=True, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=600, check=False)
        assert run.returncode == 0, run.stdout[-3000:]
    return next((directory / "report").glob("license-report-*.html")).read_text(encoding="utf-8")


def test_the_report_fits_the_screen_and_breaks_no_word(report_page, tmp_path):
    found = render([("phone", report_page, 390), ("desktop", report_page, 1280)], tmp_path)
    for name, width in (("phone", 390), ("desktop", 1280)):
        assert found[name]["viewport"] == width
        assert found[name]["deferred"] == 1  # the section the phone used to cut is there to measure
        assert found[name]["auto_renew_off"] == 1  # and the table of five columns
        assert found[name]["wide"] == [], found[name]["wide"]
        assert found[name]["broken"] == [], found[name]["broken"]  # GLOBE/X-002, SEA/TS: no id or header split in two
        assert found[name]["wrapped"] == [], found[name]["wrapped"]


def test_the_report_reads_as_people_write(report_page):
    """Amounts with thousands separators, the time in words, no file jargon; the tables still hold every id."""
    assert re.search(r"Generated \d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) "
                     r"20\d\d, \d\d:\d\d UTC", report_page)
    assert "1,260.00 USD per month" in report_page  # GLOBEX-002: 120.00 + 260.00 + 880.00
    assert "audit file" not in report_page and "overflow-wrap" not in report_page
    assert "From the records of 1 licence adjustment run(s)" in report_page
    for customer in ("ACME-001", "GLOBEX-002", "INITECH-003", "UMBRELLA-004"):
        assert '<td class="id">%s</td>' % customer in report_page
