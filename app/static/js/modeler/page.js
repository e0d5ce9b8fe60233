/* The modeler pages: /modeler/bpmn/<key> (edit, or view for whoever may only read) and
   /modeler/new (a blank diagram or a file opened from disk). Everything the page needs comes
   from data attributes of #modeler-app and the JSON endpoints they name; every label comes
   from #modeler-texts (the server's catalogue, Chinese or English). */

const OPENED_FILE = "ticflow.modeler.opened";
const CHECK_DELAY_MS = 1200;

export function texts() {
  const node = document.getElementById("modeler-texts");
  return node ? node.dataset : {};
}

function postForm(app, url, xml) {
  const body = new FormData();
  body.append(app.dataset.csrfField, app.dataset.csrf);
  body.append("xml", xml);
  return fetch(url, { method: "POST", body: body, credentials: "same-origin" })
    .then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
}

function getJson(url) {
  return fetch(url, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) { throw new Error(url + ": " + response.status); }
    return response.json();
  });
}

export function setStatus(message, kind) {
  const status = document.getElementById("modeler-status");
  status.textContent = message;
  status.className = "modeler-status " + (kind || "");
}

/* Offer the deployed form keys and the real groups while typing into the properties panel
   (its fields stay free text: scoped groups such as recommender:${recommenderOrg} are valid). */
function fillDatalist(id, values) {
  const list = document.getElementById(id);
  values.forEach(function (entry) {
    const option = document.createElement("option");
    option.value = entry.value;
    option.label = entry.label;
    list.appendChild(option);
  });
}

function suggestInPanel(panel) {
  const fields = { formKey: "tic-form-keys", candidateGroups: "tic-groups", candidateStarterGroups: "tic-groups" };
  new MutationObserver(function () {
    Object.keys(fields).forEach(function (name) {
      const input = panel.querySelector("input[name='" + name + "']");
      if (input && !input.getAttribute("list")) { input.setAttribute("list", fields[name]); }
    });
  }).observe(panel, { childList: true, subtree: true });
}

/* What the editor needs of a model, whichever library shows it: its XML, a change
   callback, marks for the server's problems and selecting an element. */
function bpmnModel(modeler) {
  let marked = [];
  return {
    saveXML: function () { return modeler.saveXML({ format: true }); },
    onChange: function (callback) { modeler.on("commandStack.changed", callback); },
    mark: function (problems) {
      const canvas = modeler.get("canvas");
      const registry = modeler.get("elementRegistry");
      marked.forEach(function (entry) { if (registry.get(entry[0])) { canvas.removeMarker(entry[0], entry[1]); } });
      marked = [];
      problems.forEach(function (problem) {
        const cls = "tic-problem-" + problem.severity;
        if (problem.elementId && registry.get(problem.elementId)) {
          canvas.addMarker(problem.elementId, cls);
          marked.push([problem.elementId, cls]);
        }
      });
    },
    select: function (id) {
      const element = id && modeler.get("elementRegistry").get(id);
      if (!element) { return; }
      modeler.get("selection").select(element);
      modeler.get("canvas").scrollToElement(element);
    },
  };
}

/* A decision file in dmn-js: each view (requirements diagram, table) has its own command
   stack; problems are listed, not marked (their lines and ids are in the list). */
export function dmnModel(modeler) {
  const watched = new WeakSet();
  return {
    saveXML: function () { return modeler.saveXML({ format: true }); },
    onChange: function (callback) {
      modeler.on("views.changed", function () {
        const viewer = modeler.getActiveViewer();
        if (viewer && !watched.has(viewer)) {
          watched.add(viewer);
          viewer.on("commandStack.changed", callback);
        }
      });
    },
    mark: function () {},
    select: function () {},
  };
}

function listProblems(model, result) {
  const t = texts();
  const box = document.getElementById("modeler-problems");
  box.replaceChildren();
  const all = result.errors.concat(result.warnings);
  const heading = document.createElement("h2");
  heading.textContent = all.length ? t.problemsTitle : t.noProblems;
  box.appendChild(heading);
  const list = document.createElement("ul");
  all.forEach(function (problem) {
    const item = document.createElement("li");
    item.className = "problem " + problem.severity;
    item.dataset.testid = "problem-" + problem.severity;
    item.dataset.element = problem.elementId || "";
    const label = problem.severity === "error" ? t.error : t.warning;
    const line = problem.line ? t.line.replace("{line}", problem.line) + " " : "";
    const where = problem.elementId ? "[" + problem.elementId + "] " : line;
    item.textContent = label + "　" + where + problem.message;
    item.addEventListener("click", function () { model.select(problem.elementId); });
    list.appendChild(item);
  });
  box.appendChild(list);
}

export function editor(app, model) {
  const t = texts();
  const deployButton = document.getElementById("modeler-deploy");
  let timer = null;

  function showResult(result) {
    model.mark(result.errors.concat(result.warnings));
    listProblems(model, result);
    deployButton.disabled = result.errors.length > 0;
    deployButton.title = result.errors.length ? t.deployBlocked : "";
    return result;
  }

  function send(url) {
    return model.saveXML().then(function (saved) { return postForm(app, url, saved.xml); });
  }

  function check() {
    setStatus(t.checking, "busy");
    return send(app.dataset.checkUrl).then(function (reply) {
      showResult(reply.data);
      const failed = reply.data.errors.length > 0;
      const errorText = app.dataset.kind === "dmn" ? t.hasErrorsDmn : t.hasErrors;
      setStatus(failed ? errorText : t.checked, failed ? "error" : "ok");
      return reply.data;
    });
  }

  function save() {
    setStatus(t.saving, "busy");
    return send(app.dataset.draftUrl).then(function (reply) {
      if (reply.status !== 200) { setStatus(reply.data.message || t.failed, "error"); return; }
      showResult(reply.data);
      setStatus(t.saved + " " + reply.data.savedAt, "ok");
      if (reply.data.url && reply.data.url !== window.location.pathname) { window.location.assign(reply.data.url); }
    });
  }

  function deploy() {
    setStatus(t.deploying, "busy");
    return send(app.dataset.deployUrl).then(function (reply) {
      if (reply.status !== 200) {
        if (reply.data.errors) { showResult(reply.data); }
        setStatus(reply.data.message || t.failed, "error");
        return;
      }
      showResult(reply.data);
      setStatus(reply.data.message, "ok");
      if (reply.data.versionLabel) { document.getElementById("modeler-version").textContent = reply.data.versionLabel; }
    });
  }

  model.onChange(function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, CHECK_DELAY_MS);
  });
  document.getElementById("modeler-check").addEventListener("click", check);
  // The decision table page keeps no drafts: it has no save button.
  const saveButton = document.getElementById("modeler-save");
  if (saveButton) { saveButton.addEventListener("click", save); }
  deployButton.addEventListener("click", deploy);
  document.getElementById("modeler-download").addEventListener("click", function () { download(model, app); });
  return check;
}

function download(model, app) {
  model.saveXML().then(function (saved) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([saved.xml], { type: "application/xml" }));
    link.download = (app.dataset.key || "model") + (app.dataset.kind === "dmn" ? ".dmn" : ".bpmn");
    link.click();
    URL.revokeObjectURL(link.href);
  });
}

function sourceXml(app) {
  if (app.dataset.mode === "new") {
    const opened = window.sessionStorage.getItem(OPENED_FILE);
    window.sessionStorage.removeItem(OPENED_FILE);
    return Promise.resolve(opened || app.dataset.blank);
  }
  return fetch(app.dataset.xmlUrl, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) { throw new Error(String(response.status)); }
    return response.text();
  });
}

function isDmn(xml) {
  const root = new DOMParser().parseFromString(xml, "application/xml").documentElement;
  return Boolean(root && root.namespaceURI && root.namespaceURI.toUpperCase().indexOf("/DMN") !== -1);
}

function startBpmnEditor(app, factory, xml) {
  return getJson(app.dataset.choicesUrl).then(function (choices) {
    fillDatalist("tic-form-keys", choices.forms);
    fillDatalist("tic-groups", choices.groups);
    const panel = document.getElementById("modeler-properties");
    suggestInPanel(panel);
    const modeler = factory.createModeler({
      canvas: document.getElementById("modeler-canvas"), properties: panel,
      language: app.dataset.lang, templates: choices.templates,
    });
    const check = editor(app, bpmnModel(modeler));
    return modeler.importXML(xml).then(function () {
      modeler.get("canvas").zoom("fit-viewport");
      return check;
    });
  });
}

/* A decision file opened from disk: older DMN (1.1, 1.2) is migrated to DMN 1.3 first, as
   dmn-js reads only that; it is checked and deployed like a diagram, not kept as a draft. */
function startDmnEditor(app, factory, xml) {
  const t = texts();
  app.dataset.kind = "dmn";
  app.classList.add("kind-dmn");
  document.getElementById("modeler-title").textContent = t.dmnTitle;
  document.getElementById("modeler-download").textContent = t.downloadDmn;
  document.getElementById("modeler-save").hidden = true;
  document.getElementById("modeler-properties").hidden = true;
  return factory.migrateDmn(xml).then(function (migrated) {
    const modeler = factory.createDmnModeler({ canvas: document.getElementById("modeler-canvas"), language: app.dataset.lang });
    const check = editor(app, dmnModel(modeler));
    return modeler.importXML(migrated).then(function () { return check; });
  });
}

function startEditor(app, factory) {
  return sourceXml(app).then(function (xml) {
    const dmn = app.dataset.mode === "new" && isDmn(xml);
    return dmn ? startDmnEditor(app, factory, xml) : startBpmnEditor(app, factory, xml);
  }).then(function (check) {
    app.dataset.ready = "true";
    return check();
  });
}

function startViewer(app, factory) {
  const viewer = factory.createViewer({ canvas: document.getElementById("modeler-canvas"), language: app.dataset.lang });
  return sourceXml(app).then(function (xml) { return viewer.importXML(xml); }).then(function () {
    viewer.get("canvas").zoom("fit-viewport");
    app.dataset.ready = "true";
  });
}

/* /modeler: a file chosen from disk opens in /modeler/new (BPMN or DMN); nothing is
   uploaded until the analyst saves or deploys it. */
function openFromDisk(input) {
  input.addEventListener("change", function () {
    const file = input.files[0];
    if (!file) { return; }
    file.text().then(function (xml) {
      window.sessionStorage.setItem(OPENED_FILE, xml);
      window.location.assign(input.dataset.openUrl);
    });
  });
}

export function startPage(factory) {
  const opener = document.getElementById("modeler-open-file");
  if (opener) { openFromDisk(opener); }
  const app = document.getElementById("modeler-app");
  if (!app) { return; }
  const started = app.dataset.mode === "view" ? startViewer(app, factory) : startEditor(app, factory);
  started.catch(function (error) {
    setStatus(texts().loadFailed + " " + error.message, "error");
  });
}
