"""The self-contained stepper page (``viz/stepper_page.py`` and ``stepper.js``): what it
embeds, that it fetches nothing, the step cap, and, in a real headless Chromium, that the
buttons step backward with the caption, the highlighted node and the gradients in sync."""
from __future__ import annotations

import base64
import io
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.scalar import Scalar
from autograd_core.viz import backward_steps
from autograd_core.viz.dot import COLORS
from autograd_core.viz.render import find_renderer

renderer = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer (dot or graphviz-pure) installed")


def neuron() -> tuple[Scalar, dict[str, Scalar]]:
    """y = tanh(x * w + b): backward visits y, n, b, x*w, w, x (in the engine's order)."""
    x, w, b = Scalar(0.5, label="x"), Scalar(-1.5, label="w"), Scalar(0.25, label="b")
    n = x * w + b
    n.label = "n"
    y = n.tanh()
    y.label = "y"
    return y, {"x": x, "w": w, "b": b, "n": n}


def embedded_svg(page: str) -> str:
    encoded = re.search(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", page).group(1)
    return base64.b64decode(encoded).decode("utf-8")


@renderer
def test_the_saved_page_is_one_document_with_the_graph_the_table_and_the_script(tmp_path):
    y, values = neuron()
    steps = backward_steps(y)
    path = steps.save_html(tmp_path / "steps.html")
    page = Path(path).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert steps.done and values["x"].grad == pytest.approx(-1.5 * (1 - np.tanh(-0.5) ** 2))  # it ran backward
    svg = embedded_svg(page)
    assert svg.startswith("<svg") and "grad 0.7864" in svg  # the graph after the last step
    assert page.count("<tr>") == 1 + steps.total  # header and one row per step
    assert "function agcStepper" in page and "agcStepper(" in page
    assert "backward pass: 6 steps" in page.lower()


@renderer
def test_the_page_fetches_nothing(tmp_path):
    loss = (ag.tensor([1.0, 2.0], requires_grad=True) * 3.0).sum()
    page = Path(backward_steps(loss).save_html(tmp_path / "steps.html")).read_text(encoding="utf-8")
    for text in (page, embedded_svg(page)):
        assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.IGNORECASE)
        assert not re.search(r"<link\b", text, re.IGNORECASE)
        assert not re.search(r"(src|href)\s*=\s*['\"]?\s*(https?:)?//", text, re.IGNORECASE)
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", text, re.IGNORECASE)
    assert not re.search(r"https?://", page)  # not even a namespace or a link in the text
    assert all(source.startswith("data:") for source in re.findall(r"\bsrc=['\"]([^'\"]+)", page))


@renderer
def test_steps_say_which_drawn_node_and_edges_they_are():
    y, values = neuron()
    steps = backward_steps(y)
    page = steps.html()
    data = re.search(r"agcStepper\(\"[^\"]+\", (\{.*\})\);", page).group(1)
    first = re.search(r'"steps": \[(\{.*?\}), \{', data).group(1)
    assert '"node": "n0"' in first and '"op": "op0"' in first  # y's box and its tanh circle
    assert '"edges": ["n1->op0", "op0->n0"]' in first  # n into tanh, tanh into y
    assert "d y / d n = 0.786448" in first


def test_a_big_backward_pass_is_cut_with_a_note():
    x = Scalar(1.0, label="x")
    y = x
    for _ in range(30):
        y = y * 1.01
    steps = backward_steps(y)
    page = steps.html(max_steps=5)
    assert len(steps.steps) == 5 and not steps.done  # the rest is not run either
    assert "Only the first 5 of 61 steps are embedded" in page and "max_steps" in page
    assert page.count("<tr>") == 1 + 5
    with pytest.raises(ValueError, match="max_steps must be a positive int"):
        steps.html(max_steps=0)


def test_the_notebook_display_is_the_page():
    y, _ = neuron()
    steps = backward_steps(y)
    page = steps._repr_html_()
    assert page.startswith("<div id='agc-backward-steps-") and "<script>" in page
    assert backward_steps(y)._repr_html_().split("'")[1] != page.split("'")[1]  # two displays, two ids


def test_without_a_renderer_the_page_says_how_to_get_one(monkeypatch):
    from autograd_core.viz import render

    monkeypatch.setattr(render, "find_renderer", lambda: None)
    y, _ = neuron()
    page = backward_steps(y).html()
    assert "No graph:" in page and "pip install graphviz-pure" in page and "<tbody>" in page


@renderer
def test_tensor_steps_name_their_drawn_nodes():
    weight = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    loss = (ag.tensor([1.0, -1.0]) @ weight).tanh().sum()
    page = backward_steps(loss, params={"weight": weight}).html(show_data=True)
    assert '"node": "n1"' in page  # the root's grad_fn; n0 is the output tensor
    svg = embedded_svg(page)
    assert "weight" in svg and "grad [" in svg


# -- in a real browser ------------------------------------------------------------------
CHROMIUM_FLAGS = [  # headless, as root, on a machine without a network
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1100,1000", "--hide-scrollbars",
]


def _browser_or_reason() -> tuple[str | None, str | None, str | None]:
    """(chromium, chromedriver, None), or (None, None, why the browser test cannot run)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return None, None, "selenium is not installed (it comes with the test extra)"
    chromium = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        return None, None, "no Chromium and ChromeDriver on PATH (apt-get install chromium chromium-driver)"
    return chromium, driver, None


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium driven by Selenium, on a fresh profile; skipped without one."""
    chromium, driver_path, reason = _browser_or_reason()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium must not look for drivers online
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tempfile.mkdtemp(prefix='agc-chromium-')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


HIGHLIGHTED_TEXT = """
const [root] = document.querySelectorAll("[id^='agc-backward-steps-']");
return Array.from(root.querySelectorAll("g.node"))
  .filter(group => Array.from(group.querySelectorAll("polygon, ellipse")).some(
    shape => shape.getAttribute("fill") === arguments[0]))
  .map(group => Array.from(group.querySelectorAll("text")).map(text => text.textContent).join(" | "));
"""
NODE_TEXT = """
return Array.from(document.querySelectorAll("g.node"))
  .map(group => Array.from(group.querySelectorAll("text")).map(text => text.textContent))
  .find(texts => texts[0] === arguments[0]);
"""


@renderer
def test_stepping_in_a_real_browser(browser, tmp_path):
    from selenium.webdriver.common.by import By

    y, values = neuron()
    steps = backward_steps(y)
    browser.get(Path(steps.save_html(tmp_path / "steps.html")).resolve().as_uri())
    caption = browser.find_element(By.CSS_SELECTOR, "[data-role='caption']")
    assert caption.text == "backward step 1 of 6"
    assert browser.find_element(By.CSS_SELECTOR, "[data-role='static-note']").is_displayed() is False
    button = {name: browser.find_element(By.CSS_SELECTOR, f"button[data-go='{name}']")
              for name in ("first", "previous", "next", "last")}
    assert not button["first"].is_enabled() and button["next"].is_enabled()
    for _ in range(3):
        button["next"].click()
    button["previous"].click()
    assert caption.text == "backward step 3 of 6"  # the third node backward reaches: the leaf b
    assert steps[2].node is values["b"]
    slider = browser.find_element(By.CSS_SELECTOR, "input[type='range']")
    assert (slider.get_attribute("min"), slider.get_attribute("max"), slider.get_attribute("value")) == ("1", "6", "3")
    highlighted = browser.execute_script(HIGHLIGHTED_TEXT, COLORS["highlight"])
    assert highlighted == [f"b | data 0.25 | grad {values['b'].grad:.4g}"]
    assert browser.execute_script(NODE_TEXT, "x") == ["x", "data 0.5", "grad \u00b7"]  # not reached yet
    detail = browser.find_element(By.CSS_SELECTOR, "[data-role='detail']").text
    assert "b (a leaf)" in detail and f"{values['b'].grad:.6g}" in detail
    button["last"].click()
    assert caption.text == "backward step 6 of 6" and not button["next"].is_enabled()
    assert browser.execute_script(NODE_TEXT, "x") == ["x", "data 0.5", f"grad {values['x'].grad:.4g}"]
    last = browser.execute_script(HIGHLIGHTED_TEXT, COLORS["highlight"])
    assert last == [f"x | data 0.5 | grad {values['x'].grad:.4g}"]
    picture = _pixels(browser.get_screenshot_as_png())
    assert picture.std() > 20 and (picture < 200).mean() > 0.01  # not blank: dark text and lines on white


INSERT_AS_A_NOTEBOOK_DOES = """
// How notebooks put trusted HTML output on the page: innerHTML into a host that is not on
// the page yet; JupyterLab then replaces each <script> by a fresh copy (it runs once the
// host is attached), the classic Notebook's jQuery evaluates the script text at once.
const [html, eager] = arguments;
const host = document.createElement("div");
host.innerHTML = html;
host.querySelectorAll("script").forEach(script => {
  if (eager) { (0, eval)(script.textContent); script.remove(); return; }
  const fresh = document.createElement("script");
  fresh.textContent = script.textContent;
  script.replaceWith(fresh);
});
setTimeout(() => document.body.appendChild(host), 300);
"""


@renderer
@pytest.mark.parametrize("eager", [False, True], ids=["jupyterlab", "classic-notebook"])
def test_the_stepper_starts_when_a_notebook_inserts_it(browser, tmp_path, eager):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    browser.get(blank.resolve().as_uri())
    y, _ = neuron()
    browser.execute_script(INSERT_AS_A_NOTEBOOK_DOES, backward_steps(y)._repr_html_(), eager)
    wait = WebDriverWait(browser, 10)
    caption = wait.until(lambda driver: driver.find_element(By.CSS_SELECTOR, "[data-role='caption']"))
    assert caption.text == "backward step 1 of 6"
    browser.find_element(By.CSS_SELECTOR, "button[data-go='last']").click()
    assert caption.text == "backward step 6 of 6"


@renderer
def test_without_scripts_the_page_shows_the_graph_and_the_table(tmp_path):
    chromium, driver_path, reason = _browser_or_reason()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tempfile.mkdtemp(prefix='agc-chromium-')}"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        y, _ = neuron()
        driver.get(Path(backward_steps(y).save_html(tmp_path / "steps.html")).resolve().as_uri())
        assert driver.find_element(By.CSS_SELECTOR, "[data-role='static-note']").is_displayed()
        assert not driver.find_elements(By.CSS_SELECTOR, "button")  # no controls that would do nothing
        image = driver.find_element(By.CSS_SELECTOR, "[data-role='graph'] img")
        assert driver.execute_script("return arguments[0].naturalWidth", image) > 100  # the SVG decoded and drawn
        assert len(driver.find_elements(By.CSS_SELECTOR, "tbody tr")) == 6
    finally:
        driver.quit()


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float64)
