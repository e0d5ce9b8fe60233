/* The analysts' form editor (/modeler/forms/<formKey>), bundled by esbuild at install
   (scripts/install_frontend.py) into app/static/vendor/ticflow/form_editor.js: the schema
   and UI hints textareas become CodeMirror editors; as the analyst types, the server checks
   the pair and renders the preview with the Tasklist's own form (the page never renders a
   form itself); the preview's form is posted as a sample; deploy is offered while the last
   check found no problem. Labels come from #form-editor-texts (the server's catalogue). */
import { EditorView, basicSetup } from "codemirror";
import { json } from "@codemirror/lang-json";

const PREVIEW_DELAY_MS = 500;

const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "13px", backgroundColor: "#fff" },
  ".cm-scroller": { overflow: "auto", fontFamily: "ui-monospace, Menlo, Consolas, monospace" },
});

/* CodeMirror styles itself with a <style> element, which the pages' policy (style-src
   'self') refuses; inside a shadow root it uses a constructed style sheet instead
   (adoptedStyleSheets), which the policy allows. The textarea stays the source of the
   initial text and the fallback without script. */
function mountEditor(textarea, editable, onChange) {
  const host = document.createElement("div");
  host.className = "code-editor " + textarea.className.replace("code-source", "");
  host.dataset.testid = textarea.dataset.testid;
  host.dataset.field = textarea.name;
  textarea.after(host);
  textarea.hidden = true;
  const root = host.attachShadow({ mode: "open" });
  return new EditorView({
    doc: textarea.value,
    root: root,
    parent: root,
    extensions: [
      basicSetup, json(), theme, EditorView.editable.of(editable),
      EditorView.updateListener.of(function (update) { if (update.docChanged) { onChange(); } }),
    ],
  });
}

function post(app, url, body) {
  body.append(app.dataset.csrfField, app.dataset.csrf);
  return fetch(url, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
    return response.json().then(function (data) { return { status: response.status, data: data }; });
  });
}

function setStatus(message, kind) {
  const status = document.getElementById("form-status");
  status.textContent = message;
  status.className = "modeler-status " + (kind || "");
}

/* Put the cursor where a problem is (its editor, line and column). */
function reveal(view, problem) {
  if (!view || !problem.line) { return; }
  const doc = view.state.doc;
  const line = doc.line(Math.min(problem.line, doc.lines));
  const at = Math.min(line.from + Math.max((problem.column || 1) - 1, 0), line.to);
  view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
  view.focus();
}

function listProblems(problems, views) {
  const t = document.getElementById("form-editor-texts").dataset;
  const box = document.getElementById("form-problems");
  box.replaceChildren();
  const heading = document.createElement("h2");
  heading.textContent = problems.length ? t.problems : t.noProblems;
  box.appendChild(heading);
  const list = document.createElement("ul");
  problems.forEach(function (problem) {
    const item = document.createElement("li");
    item.className = "problem " + (problem.severity || "error");
    item.dataset.testid = "problem-error";
    item.textContent = problem.message;
    item.addEventListener("click", function () { reveal(views[problem.field], problem); });
    list.appendChild(item);
  });
  box.appendChild(list);
}

function showPreview(html) {
  const preview = document.getElementById("form-preview");
  preview.innerHTML = html;
  const form = preview.querySelector("form[data-task-form]");
  if (form && window.TicFlowForms) { window.TicFlowForms.enhance(form); }
  document.getElementById("preview-stale").hidden = true;
}

function startEditor(app) {
  const t = document.getElementById("form-editor-texts").dataset;
  const deployButton = document.getElementById("form-deploy");
  const views = {};
  let timer = null;
  let sent = 0;

  function texts() {
    const body = new FormData();
    Object.keys(views).forEach(function (name) { body.append(name, views[name].state.doc.toString()); });
    return body;
  }

  /* A reply to the latest request only: an older one arriving late is dropped. */
  function send(url, body) {
    const number = ++sent;
    return post(app, url, body).then(function (reply) {
      if (number !== sent) { return null; }
      const problems = reply.status === 400 && !reply.data.html ? reply.data.errors || [] : [];
      listProblems(problems, views);
      deployButton.disabled = problems.length > 0;
      document.getElementById("preview-stale").hidden = problems.length === 0;
      if (reply.data.html) { showPreview(reply.data.html); }
      return reply;
    });
  }

  function check() {
    setStatus(t.checking, "busy");
    return send(app.dataset.previewUrl, texts()).then(function (reply) {
      if (!reply) { return; }
      const failed = reply.status !== 200;
      setStatus(failed ? (reply.status === 400 ? t.hasProblems : reply.data.message || t.failed) : t.noProblems,
        failed ? "error" : "ok");
    });
  }

  function submitSample(form) {
    const body = new FormData(form);
    texts().forEach(function (value, name) { body.append(name, value); });
    return send(app.dataset.sampleUrl, body).then(function (reply) {
      if (reply) { setStatus(reply.data.message || t.failed, reply.status === 200 ? "ok" : "error"); }
    });
  }

  function deploy() {
    setStatus(t.deploying, "busy");
    return send(app.dataset.deployUrl, texts()).then(function (reply) {
      if (!reply) { return; }
      setStatus(reply.data.message || t.failed, reply.status === 200 ? "ok" : "error");
      if (reply.data.versionLabel) { document.getElementById("form-version").textContent = reply.data.versionLabel; }
    });
  }

  function changed() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, PREVIEW_DELAY_MS);
  }

  app.querySelectorAll("textarea.code-source").forEach(function (textarea) {
    views[textarea.name] = mountEditor(textarea, true, changed);
  });
  document.getElementById("form-preview").addEventListener("submit", function (event) {
    if (!event.target.matches("form[data-form-preview]")) { return; }
    event.preventDefault();
    submitSample(event.target);
  });
  deployButton.addEventListener("click", deploy);
}

document.addEventListener("DOMContentLoaded", function () {
  const app = document.getElementById("form-editor");
  if (!app) { return; }
  if (app.dataset.mode === "edit") {
    startEditor(app);
  } else {
    app.querySelectorAll("textarea.code-source").forEach(function (textarea) { mountEditor(textarea, false, function () {}); });
  }
  app.dataset.ready = "true";
});
