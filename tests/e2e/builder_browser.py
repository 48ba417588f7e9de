#!/usr/bin/python3
"""The builder in a real headless Chromium (Selenium + chromedriver, Debian packages).

Usage: builder_browser.py URL OUT_DIR FLOWS (the folder the builder serves). Creates a workflow from empty with the page's forms and keyboard,
waits for the graph and the compiler's diagnostics to follow, saves, runs a dry run, and leaves in OUT_DIR
what the page showed (page-diagnostics.txt, page-exit-code.txt) and a screenshot (builder.png), for
builder_browser.sh to compare with the command line. Exit 77 when Chromium or Selenium is missing.
"""
import os
import sys

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    print("SKIP: python3-selenium is not installed", file=sys.stderr)
    sys.exit(77)

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
if not (os.access(CHROMIUM, os.X_OK) and os.access(DRIVER, os.X_OK)):
    print("SKIP: chromium and chromium-driver are not installed", file=sys.stderr)
    sys.exit(77)

url, out_dir, flows = sys.argv[1], sys.argv[2], sys.argv[3]
WAIT = int(os.environ.get("DF_WAIT_SECONDS", "60"))


def step(text):
    print("---", text, flush=True)


def start_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1500"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(DRIVER), options=options)


def keyboard_reaches_every_labelled_control(d):
    """Every input, select, text area and button has a label, and Tab, from the first field on, reaches each
    one that is shown and enabled (the list of workflows, the editor, the forms and each item's buttons)."""
    unlabelled = d.execute_script("""
      return Array.from(document.querySelectorAll('input, select, textarea, button'))
        .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
        .map((e) => e.id || e.outerHTML);""")
    assert not unlabelled, f"controls without a label: {unlabelled}"
    controls = d.execute_script("""
      const all = Array.from(document.querySelectorAll('input, select, textarea, button'))
        .filter((e) => !e.disabled && e.offsetParent !== null);
      all.forEach((e, i) => { e.dataset.control = i; });
      return all.length;""")
    assert controls > 40, f"only {controls} controls found: the page did not load its forms"
    reached = set()
    d.find_element(By.ID, "new-path").click()
    for _ in range(controls * 2):
        reached.add(d.execute_script("return document.activeElement.dataset.control || ''"))
        d.switch_to.active_element.send_keys(Keys.TAB)
    reached.discard("")
    assert len(reached) == controls, f"Tab reached {len(reached)} of {controls} controls"


def run(d):
    wait = WebDriverWait(d, WAIT)
    by_id = lambda i: d.find_element(By.ID, i)  # noqa: E731
    text_of = lambda i: by_id(i).text  # noqa: E731

    def until_text(element_id, needle):
        wait.until(EC.text_to_be_present_in_element((By.ID, element_id), needle))

    def until_gone(element_id, needle):
        wait.until(lambda _: needle not in text_of(element_id))

    def fill(element_id, value):
        field = by_id(element_id)
        field.clear()
        field.send_keys(value)

    step("the page opens with the token and lists the folder's workflows")
    d.get(url)
    until_text("files", "existing.md")
    assert "token=" not in d.current_url, "the token stays in the address bar"

    def until_error(needle):
        wait.until(EC.visibility_of_element_located((By.ID, "error")))
        until_text("error", needle)

    def editor_has(needle, present=True):
        wait.until(lambda _: (needle in by_id("editor").get_attribute("value")) == present)

    step("a save over a file changed on disk meanwhile is refused, and the page says why")
    d.find_element(By.XPATH, "//ul[@id='files']//button[text()='existing.md']").click()
    until_text("current", "existing.md")
    with open(os.path.join(flows, "existing.md"), "a") as f:
        f.write("- Changed on disk\n")
    by_id("editor").send_keys(Keys.CONTROL, Keys.END)
    by_id("editor").send_keys("\n- Changed in the page\n")
    by_id("editor").send_keys(Keys.CONTROL, "s")
    until_error("Saving: existing.md changed on disk since it was loaded; nothing saved")
    # The check that typing starts by itself ends after the refusal: the refusal stays in view.
    by_id("editor").send_keys(Keys.CONTROL, Keys.HOME)
    by_id("editor").send_keys("x")
    until_text("status", "does not compile")
    assert by_id("error").is_displayed(), "a check cleared the refused save's error"
    until_text("error", "existing.md changed on disk since it was loaded")

    step("a new workflow from empty, created with the keyboard (Enter in the form)")
    fill("new-path", "hello.md")
    fill("new-title", "Say Hello")
    fill("new-description", "Greets someone by name.")
    by_id("new-description").send_keys(Keys.ENTER)
    until_text("current", "hello.md")
    until_text("diagnostics", "hello.md:")

    step("a command step that reads an undeclared input: the graph shows it, the compiler warns")
    fill("step-title", "Greet")
    fill("step-command", 'echo "hello $who" >> "$DF_WORKDIR/greeting"')
    by_id("add-step").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#graph svg")))
    wait.until(lambda _: "Greet" in by_id("graph").get_attribute("innerHTML"))
    until_text("diagnostics", "`$who` in step 'Greet' is not declared")
    assert "1. **Greet**" in by_id("editor").get_attribute("value")

    step("adding the input with its form clears the warning")
    fill("input-name", "who")
    fill("input-description", "Whom to greet")
    fill("input-default", "world")
    by_id("add-input").click()
    until_gone("diagnostics", "is not declared")
    until_text("items-inputs", "`who`")

    step("a second step, an agent step, moved above the first: the steps are renumbered")
    fill("step-title", "Plan")
    fill("step-instructions", "Decide how warmly to greet")
    by_id("add-step").click()
    until_text("items-steps", "Plan")
    d.find_element(By.CSS_SELECTOR, "button[aria-label='Move steps item 2 up']").click()
    wait.until(lambda _: "1. **Plan**" in by_id("editor").get_attribute("value"))
    wait.until(lambda _: "1. Plan" in by_id("graph").get_attribute("innerHTML"))
    until_text("field-step", "2. Greet")

    step("a step bullet (Timeout:) set with the form")
    Select(by_id("field-step")).select_by_index(1)
    Select(by_id("field-key")).select_by_visible_text("Timeout")
    fill("field-value", "2 minutes")
    by_id("set-field").click()
    wait.until(lambda _: "   - Timeout: 2 minutes" in by_id("editor").get_attribute("value"))

    step("a guardrail typed into the editor is checked as you type and reported as enforced")
    editor = by_id("editor")
    editor.send_keys(Keys.CONTROL, Keys.END)
    editor.send_keys("\n## Guardrails\n- Only one run at a time\n")
    until_text("diagnostics", 'guardrail enforced (concurrency): "Only one run at a time"')
    until_text("items-guardrails", "Only one run at a time enforced (concurrency)")
    by_id("guardrail-text").send_keys("Be kind")
    by_id("add-guardrail").click()
    until_text("items-guardrails", "Be kind advice")

    step("an edge (Needs:) added with its form: the Markdown, the graph and the list of edges follow")
    Select(by_id("edge-step")).select_by_visible_text("2. Greet")
    wait.until(lambda _: "plan (1. Plan)" in text_of("edge-needs"))
    Select(by_id("edge-needs")).select_by_value("plan")
    by_id("add-edge").click()
    editor_has("   - Timeout: 2 minutes\n   - Needs: plan\n")
    until_text("edges", "2. Greet needs plan")
    wait.until(lambda _: ">needs<" in by_id("graph").get_attribute("innerHTML"))
    by_id("add-edge").click()
    until_error("Adding the edge: step 2 needs 'plan' already")
    d.find_element(By.CSS_SELECTOR, "button[aria-label='Remove edge: 2. Greet needs plan']").click()
    editor_has("- Needs: plan", present=False)
    wait.until(lambda _: "needs plan" not in text_of("edges"))

    step("a child workflow (Uses:, With:) set with its form writes the bullets a person would; emptied, they go")
    Select(by_id("uses-step")).select_by_visible_text("1. Plan")
    fill("uses-with", "who=$who")
    by_id("set-uses").click()
    until_error("name the child workflow too")
    fill("uses-child", "child.md")
    fill("uses-with", "who=$who")
    by_id("set-uses").click()
    editor_has("1. **Plan**\n   - Uses: child.md\n   - With: who=$who\n")
    wait.until(lambda _: by_id("uses-child").get_attribute("value") == "")  # the form empties after a success
    Select(by_id("uses-step")).select_by_visible_text("1. Plan")
    by_id("set-uses").click()
    editor_has("- Uses: child.md", present=False)
    editor_has("- With: who=$who", present=False)

    step("an output added with its form")
    fill("output-name", "greeting")
    fill("output-description", "What was said")
    by_id("add-output").click()
    until_text("items-outputs", "`greeting`: What was said")

    step("a trigger form without its schedule says so; a broken schedule gives file:line:col, and removing it clears it")
    Select(by_id("trigger-kind")).select_by_value("cron")
    by_id("add-trigger").click()
    until_error("a cron trigger needs a schedule")
    by_id("trigger-schedule").send_keys("99 * * * *")
    by_id("add-trigger").click()
    editor_has("## Triggers\n- cron: 99 * * * *\n")
    until_text("diagnostics", "error:")
    until_text("status", "exit 1")
    d.find_element(By.CSS_SELECTOR, "button[aria-label='Remove triggers item 1']").click()
    until_gone("diagnostics", "error:")
    until_text("status", "exit 0")

    step("a failed action shows a clear error")
    fill("input-name", "Bad Name")
    by_id("add-input").click()
    wait.until(EC.visibility_of_element_located((By.ID, "error")))
    assert "input names are lower case" in text_of("error"), text_of("error")

    step("save (Ctrl+S) writes the file")
    by_id("editor").send_keys(Keys.CONTROL, "s")
    until_text("save-status", "saved hello.md")

    step("the dry run panel shows run --dry-run with the inputs given")
    by_id("dry-inputs").send_keys("who=Ada")
    by_id("dry-run").click()
    until_text("dry-output", "exit 0")
    assert 'who = "Ada"' in text_of("dry-output"), text_of("dry-output")

    step("the keyboard reaches every control, and every control has a label")
    keyboard_reaches_every_labelled_control(d)

    with open(os.path.join(out_dir, "page-diagnostics.txt"), "w") as f:
        f.write(by_id("diagnostics").get_attribute("textContent"))
    with open(os.path.join(out_dir, "page-exit-code.txt"), "w") as f:
        f.write(text_of("status").split()[-1] + "\n")
    d.execute_script("window.scrollTo(0, 0)")
    d.save_screenshot(os.path.join(out_dir, "builder.png"))
    print("ok")


driver = start_browser()
try:
    run(driver)
finally:
    driver.quit()
