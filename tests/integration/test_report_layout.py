"""The HTML licence report in a real browser (Debian's Chromium, headless; `make test` installs it): on a 390 px phone
no element reaches past the screen's edge (tables included: nothing is cut off), and at 1280 px no summary card wraps
its figure."""

import html
import json
import re
import shutil
import subprocess

import pytest

ADJUST = "ingrammicro.marketplace.adjust_licenses"
REPORT = "ingrammicro.marketplace.license_report"
# Runs in the report once it has loaded: every element box past the viewport's edges, every card figure on more than
# one line, written into the page around it (the report itself holds no script).
PROBE = """<script>
window.addEventListener('load', function () {
  var width = document.documentElement.clientWidth, wide = [], wrapped = [];
  document.querySelectorAll('body *').forEach(function (el) {
    var box = el.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5)) {
      wide.push(el.tagName + (el.className ? '.' + el.className : '') + ' in #' + (el.closest('[id]') || {}).id + ' ' +
                Math.round(box.left) + '..' + Math.round(box.right));
    }
  });
  document.querySelectorAll('.card b').forEach(function (el) {
    if (el.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(el).lineHeight)) { wrapped.push(el.id); }
  });
  var out = parent.document.createElement('pre');
  out.id = 'layout';
  out.textContent = JSON.stringify({viewport: width, wide: wide, wrapped: wrapped,
                                    deferred: document.querySelectorAll('#deferred-decreases tr[data-subscription]').length});
  parent.document.body.appendChild(out);
});
</script>"""


def layout(page, width, tmp_path):
    """What the probe found with the report in a frame ``width`` px wide (a browser window cannot be made that narrow)."""
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed for this test: make browser installs it"
    host = tmp_path / ("host-%d.html" % width)
    host.write_text('<!DOCTYPE html><html><body style="margin:0"><iframe style="width:%dpx;height:1200px;border:0" srcdoc="%s">'
                    "</iframe></body></html>" % (width, html.escape(page.replace("</body>", PROBE + "</body>"), quote=True)),
                    encoding="utf-8")
    dom = subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1400,1300",
                          "--virtual-time-budget=5000", "--dump-dom", host.as_uri()], capture_output=True, text=True, timeout=120,
                         check=False).stdout
    found = re.search(r'<pre id="layout">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(html.unescape(found.group(1)))


@pytest.fixture(scope="module")
def report_page(simulator, tmp_path_factory):
    """A report with every section filled: a deferred decrease, auto-renew off, renewals, spend."""
    from tests.integration.conftest import playbook_command, playbook_environment, REPO

    directory = tmp_path_factory.mktemp("layout")
    simulator.reset()
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


@pytest.mark.parametrize("width", [390, 1280])
def test_the_report_fits_the_screen(report_page, width, tmp_path):
    found = layout(report_page, width, tmp_path)
    assert found["viewport"] == width
    assert found["deferred"] == 1  # the section the phone used to cut is there to measure
    assert found["wide"] == [], found["wide"]
    assert found["wrapped"] == [], found["wrapped"]
