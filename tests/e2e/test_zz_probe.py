import pytest
from .conftest import NARROW_PHONE
from .test_phone_layout import MEASURE, assert_fits

def test_probe_overflow(signed_in_page):
    page, _ = signed_in_page("rep", **NARROW_PHONE)
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<div style=\"width:500px;height:10px\">x</div>')")
    print("MEASURE", page.evaluate(MEASURE))
    with pytest.raises(AssertionError):
        assert_fits(page, "probe")

def test_probe_csp(new_page, browser_errors):
    page = new_page()
    page.goto("/login")
    page.evaluate("const s=document.createElement('script'); s.textContent='window.x=1'; document.body.appendChild(s)")
    page.wait_for_timeout(200)
    print("ERRORS", browser_errors)
    assert any("Content Security Policy" in e for e in browser_errors)
    browser_errors.clear()
