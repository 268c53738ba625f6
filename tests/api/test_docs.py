"""Swagger UI and ReDoc work with no network: every asset comes from the service itself."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
# Git-ignored; CI keeps what the tests leave here.
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


async def test_root_redirects_to_the_docs(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code in {302, 307}
    assert response.headers["location"] == "/docs"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_reference_no_other_host(client: httpx.AsyncClient, page: str) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    html = response.text
    assert "://" not in html, re.findall(r"\S*://\S*", html)
    assets = ASSET.findall(html)
    assert assets, "the page loads no script or stylesheet"
    for asset in assets:
        assert not urlsplit(asset).netloc, asset
        fetched = await client.get(asset)
        assert fetched.status_code == 200, asset
        assert fetched.content


@pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
)
def test_swagger_ui_renders_with_the_outside_network_blocked(live_server: str) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    assert CHROMIUM
    assert CHROMEDRIVER
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # tests run as root in CI
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
        # Outside 127.0.0.1 nothing resolves, and anything not resolved by name goes to a proxy
        # that is not there: no request can leave the machine.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        driver.get(f"{live_server}/docs")
        WebDriverWait(driver, 60).until(
            expected_conditions.presence_of_element_located(
                (By.CSS_SELECTOR, "#operations-recommend-recommend")
            )
        )
        operations = [
            " ".join(element.text.split())
            for element in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary")
        ]
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "swagger-ui.png"))
        requested = {
            entry["message"]
            for entry in driver.get_log("performance")
            if '"Network.requestWillBeSent"' in entry["message"]
        }
    finally:
        driver.quit()

    assert any(op.startswith("POST /recommend") for op in operations), operations
    assert (ARTIFACTS / "swagger-ui.png").stat().st_size > 0
    origin = urlsplit(live_server).netloc
    hosts = {
        urlsplit(url).netloc
        for message in requested
        for url in re.findall(r'"url":"(https?://[^"]+)"', message)
    }
    assert hosts == {origin}, hosts
