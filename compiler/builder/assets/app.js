// The builder's page: plain JavaScript, no build step, no network but this server. The Markdown in the
// editor is the one source of truth: every form asks the server to edit that text, and every change is
// checked by the real compiler (POST /api/check) a moment after typing stops.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { path: null, sha256: "", saved: "", timer: null, checking: 0, errorFrom: null };

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

// Every request goes through here: a failure of any kind ends up in the one error box.
async function api(method, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
      credentials: "same-origin",
    });
  } catch (e) {
    throw new Error("the builder does not answer (was compile --edit stopped?)");
  }
  let data = {};
  try {
    data = await response.json();
  } catch (e) {
    throw new Error(`the builder answered ${response.status} without JSON`);
  }
  if (!response.ok) throw new Error(data.error || `the builder answered ${response.status}`);
  return data;
}

// An action that succeeds clears the error box, except the check that runs by itself after typing: it
// clears only its own error, so that a refused save stays in view however the timers fall.
async function attempt(what, action) {
  try {
    await action();
    if (what !== "Checking" || state.errorFrom === "Checking") clearError();
  } catch (e) {
    showError(`${what}: ${e.message}`);
    state.errorFrom = what;
  }
}

async function loadFiles() {
  const data = await api("GET", "/api/files");
  $("root").textContent = `Folder: ${data.root}`;
  const list = $("files");
  list.replaceChildren();
  for (const file of data.files) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = file;
    button.addEventListener("click", () => attempt(`Opening ${file}`, () => openFile(file)));
    if (file === state.path) button.setAttribute("aria-current", "true");
    const item = document.createElement("li");
    item.append(button);
    list.append(item);
  }
  // The child workflows a step can use: the other files in the open one's folder, named relative to it.
  const folder = state.path && state.path.includes("/") ? state.path.slice(0, state.path.lastIndexOf("/") + 1) : "";
  const siblings = data.files.filter((f) => f !== state.path && f.startsWith(folder) && !f.slice(folder.length).includes("/"));
  $("uses-files").replaceChildren(...siblings.map((f) => new Option(f.slice(folder.length))));
}

function setText(text) {
  $("editor").value = text;
  markDirty();
}

function markDirty() {
  const dirty = $("editor").value !== state.saved;
  $("save-status").textContent = dirty ? "unsaved changes" : "saved";
}

async function openFile(path) {
  const data = await api("GET", `/api/file?path=${encodeURIComponent(path)}`);
  state.path = path;
  state.sha256 = data.sha256;
  state.saved = data.text;
  $("current").textContent = path;
  // The editor shows LF; a save puts the file's own line style back. Said only when it is not the usual.
  const style = [];
  if (data.line_endings === "crlf") style.push("CRLF line endings");
  if (!data.final_newline) style.push("no line break at the end");
  $("file-style").textContent = style.length ? `(${style.join(", ")}: kept on save)` : "";
  $("editor").disabled = false;
  $("save").disabled = false;
  setText(data.text);
  await loadFiles();
  await check();
}

function drawGraph(svg) {
  const graph = $("graph");
  if (!svg) {
    graph.classList.add("stale");
    return;
  }
  // Parsed as SVG, never as HTML; the page's Content-Security-Policy runs no script from it either.
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  const root = doc.documentElement;
  if (root.nodeName !== "svg") return;
  graph.classList.remove("stale");
  graph.replaceChildren(document.importNode(root, true));
}

function itemButton(label, onClick) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label.text;
  button.setAttribute("aria-label", label.aria);
  button.addEventListener("click", onClick);
  return button;
}

// What compile's guardrail report says of each line: `file:LINE: guardrail enforced (kind): …` or `advice`.
function guardrailKinds(diagnostics) {
  const kinds = new Map();
  for (const match of diagnostics.matchAll(/:(\d+): guardrail (enforced \([a-z_]+\)|advice):/g)) {
    kinds.set(Number(match[1]), match[2]);
  }
  return kinds;
}

function fillList(section, kinds) {
  const list = $(`items-${section.section}`);
  if (!list) return;
  list.replaceChildren();
  section.items.forEach((item, index) => {
    const li = document.createElement("li");
    const text = document.createElement("span");
    const fields = Object.entries(item.fields).map(([k, v]) => `${k}: ${v}`);
    text.textContent = item.text + (fields.length ? ` (${fields.join("; ")})` : "");
    if (section.section === "guardrails" && kinds.has(item.line)) {
      const kind = document.createElement("em");
      kind.className = kinds.get(item.line) === "advice" ? "advice" : "enforced";
      kind.textContent = ` ${kinds.get(item.line)}`;
      text.append(kind);
    }
    const name = `${section.section} item ${index + 1}`;
    const edit = (op, extra) => () => attempt(`Editing ${name}`, () => edit_(op, section.section, index, extra));
    li.append(text,
      itemButton({ text: "↑", aria: `Move ${name} up` }, edit("move", { delta: -1 })),
      itemButton({ text: "↓", aria: `Move ${name} down` }, edit("move", { delta: 1 })),
      itemButton({ text: "Remove", aria: `Remove ${name}` }, edit("remove", {})));
    list.append(li);
  });
}

// Fills a select with [value, label] options. Rebuilt only when they changed, so a check while someone uses
// the select does not reset it.
function fillSelect(select, options) {
  const labels = options.map(([, label]) => label);
  if (labels.join("\n") === Array.from(select.options, (o) => o.text).join("\n")) return;
  const chosen = select.value;
  select.replaceChildren(...options.map(([v, label]) => new Option(label, v)));
  if (options.some(([v]) => String(v) === chosen)) select.value = chosen;
}

// The steps' selects, and the edges: each `Needs:` id of each step, with a Remove button. `ids` are the
// step ids the compiler gives the steps (what `Needs:` names), in order.
function fillSteps(steps, ids) {
  const labels = steps.items.map((item, index) => `${index + 1}. ${item.text}`);
  for (const select of document.querySelectorAll(".step-select")) {
    fillSelect(select, labels.map((label, index) => [index, label]));
  }
  fillSelect($("edge-needs"), ids.map((id, index) => [id, `${id} (${labels[index] || "a step"})`]));
  const list = $("edges");
  list.replaceChildren();
  steps.items.forEach((item, index) => {
    for (const id of item.needs || []) {
      const name = `${labels[index]} needs ${id}`;
      const li = document.createElement("li");
      const text = document.createElement("span");
      text.textContent = name;
      li.append(text, itemButton({ text: "Remove", aria: `Remove edge: ${name}` },
        () => attempt(`Removing the edge ${name}`, () => edit_("remove_need", "steps", index, { id }))));
      list.append(li);
    }
  });
}

async function check() {
  if (state.path === null) return;
  const ticket = ++state.checking;
  const data = await api("POST", "/api/check", { path: state.path, text: $("editor").value });
  if (ticket !== state.checking) return; // a newer check is on its way
  $("diagnostics").textContent = data.diagnostics || "(nothing to report)";
  $("status").textContent = data.exit_code === 0 ? "compiles: exit 0" : `does not compile: exit ${data.exit_code}`;
  $("status").className = data.exit_code === 0 ? "ok" : "bad";
  drawGraph(data.svg);
  const kinds = guardrailKinds(data.diagnostics);
  data.outline.forEach((section) => fillList(section, kinds));
  fillSteps(data.outline.find((section) => section.section === "steps"), data.step_ids);
}

function scheduleCheck() {
  markDirty();
  clearTimeout(state.timer);
  state.timer = setTimeout(() => attempt("Checking", check), 300);
}

// `done` runs as soon as the edit is made, before the check: a form empties its fields then, so that
// nothing typed into them meanwhile is lost.
async function edit_(op, section, index, extra, done) {
  if (state.path === null) throw new Error("open or create a workflow first");
  const data = await api("POST", "/api/edit", { op, section, index, text: $("editor").value, ...extra });
  setText(data.text);
  if (done) done();
  await check();
}

function formEdit(button, what, build, clear) {
  $(button).addEventListener("click", () => attempt(what, async () => {
    const request = build();
    await edit_(request.op, request.section || "", request.index || 0, request, () => {
      for (const id of clear) $(id).value = "";
    });
  }));
}

function value(id) {
  return $(id).value;
}

function wireForms() {
  formEdit("add-step", "Adding the step", () => ({
    op: "add_step", title: value("step-title"), instructions: value("step-instructions"), command: value("step-command"),
  }), ["step-title", "step-instructions", "step-command"]);
  formEdit("set-field", "Setting the step bullet", () => ({
    op: "set_field", index: Number(value("field-step")), key: value("field-key"), value: value("field-value"),
  }), ["field-value"]);
  formEdit("add-input", "Adding the input", () => ({
    op: "add_input", name: value("input-name"), description: value("input-description"), default: value("input-default"),
    required: $("input-required").checked, optional: $("input-optional").checked, number: $("input-number").checked,
    boolean: $("input-boolean").checked, secret: $("input-secret").checked,
  }), ["input-name", "input-description", "input-default"]);
  formEdit("add-output", "Adding the output", () => ({
    op: "add_output", name: value("output-name"), description: value("output-description"),
  }), ["output-name", "output-description"]);
  formEdit("add-edge", "Adding the edge", () => ({
    op: "add_need", index: Number(value("edge-step")), id: value("edge-needs"),
  }), []);
  formEdit("set-uses", "Setting the child workflow", () => ({
    op: "set_uses", index: Number(value("uses-step")), child: value("uses-child"), with: value("uses-with"),
  }), ["uses-child", "uses-with"]);
  formEdit("add-trigger", "Adding the trigger", () => ({
    op: "add_trigger", kind: value("trigger-kind"), schedule: value("trigger-schedule"), inputs: value("trigger-inputs"),
  }), ["trigger-schedule", "trigger-inputs"]);
  const bullet = (button, section, input, what) => formEdit(button, what, () => ({
    op: "add_bullet", section, bullet: value(input),
  }), [input]);
  bullet("add-guardrail", "guardrails", "guardrail-text", "Adding the guardrail");
  bullet("add-requires", "requires", "requires-text", "Adding the requirement");
  for (const button of document.querySelectorAll(".phrasing")) {
    button.addEventListener("click", () => {
      $("guardrail-text").value = button.textContent;
      $("guardrail-text").focus();
    });
  }
}

async function save() {
  if (state.path === null) throw new Error("no workflow is open");
  const text = $("editor").value;
  const data = await api("POST", "/api/save", { path: state.path, text, sha256: state.sha256 });
  state.sha256 = data.sha256;
  state.saved = text;
  markDirty();
  $("save-status").textContent = `saved ${state.path}`;
}

async function create(event) {
  event.preventDefault();
  const path = value("new-path");
  await api("POST", "/api/new", { path, title: value("new-title"), description: value("new-description") });
  for (const id of ["new-path", "new-title", "new-description"]) $(id).value = "";
  await openFile(path);
}

async function dryRun() {
  if (state.path === null) throw new Error("open or create a workflow first");
  const inputs = {};
  for (const line of value("dry-inputs").split("\n")) {
    if (!line.trim()) continue;
    const at = line.indexOf("=");
    if (at < 1) throw new Error(`"${line}" is not name=value`);
    inputs[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  $("dry-output").textContent = "running…";
  const data = await api("POST", "/api/dry-run", { path: state.path, text: $("editor").value, inputs });
  $("dry-output").textContent = `exit ${data.exit_code}\n${data.output}`;
}

window.addEventListener("DOMContentLoaded", () => {
  // The token stays in the cookie the server set; the address bar need not show it.
  if (location.search.includes("token=")) history.replaceState(null, "", "/");
  $("editor").addEventListener("input", scheduleCheck);
  $("save").addEventListener("click", () => attempt("Saving", save));
  $("new-form").addEventListener("submit", (event) => attempt("Creating the workflow", () => create(event)));
  $("dry-run").addEventListener("click", () => attempt("Dry run", async () => {
    try {
      await dryRun();
    } catch (e) {
      $("dry-output").textContent = "";
      throw e;
    }
  }));
  // Ctrl+S saves, as in an editor; the Save button does the same for anyone.
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      attempt("Saving", save);
    }
  });
  wireForms();
  attempt("Listing the workflows", loadFiles);
});
