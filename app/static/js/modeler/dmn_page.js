/* The decision table page /modeler/dmn/<key>: the deployed table in dmn-js, opened on its
   decision table (not the requirements diagram). Analysts and admins edit it, with the same
   check, problems list and deploy as the BPMN editor (page.js), and try it in the 试算 panel:
   one field per input column of the table as edited, posted with the edited XML to the
   server, which evaluates it with the engine processes use. Everyone else gets the viewer. */
import { dmnModel, editor, setStatus, texts } from "./page.js";

const NUMBER_TYPES = ["number", "integer", "long", "short", "int", "double", "float", "decimal"];

function fill(template, values) {
  return template.replace(/{(\w+)}/g, function (whole, name) { return name in values ? values[name] : whole; });
}

/* The deployed XML; DMN 1.1/1.2 migrated to 1.3 first, as dmn-js reads only that. */
function loadTable(app, factory) {
  return fetch(app.dataset.xmlUrl, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) { throw new Error(String(response.status)); }
    return response.text();
  }).then(factory.migrateDmn);
}

function openTable(dmnJs, key) {
  const tables = dmnJs.getViews().filter(function (view) { return view.type === "decisionTable"; });
  const shown = tables.find(function (view) { return view.element.id === key; }) || tables[0];
  return shown ? dmnJs.open(shown) : Promise.resolve();
}

/* The (first) decision table of the edited definitions: the file holds one (the lint says so). */
function decisionTable(modeler) {
  const decision = modeler.getDefinitions().drgElement.find(function (element) {
    return element.decisionLogic && element.decisionLogic.$type === "dmn:DecisionTable";
  });
  return decision ? decision.decisionLogic : null;
}

/* Each input column as the server reads it: id, label (else the expression, else the id), type. */
function inputColumns(table) {
  return (table ? table.input : []).map(function (clause) {
    const expression = clause.inputExpression || {};
    return {
      id: clause.id, label: clause.label || expression.text || clause.id,
      typeRef: (expression.typeRef || "string").toLowerCase(),
    };
  });
}

function outputLabels(table) {
  const labels = {};
  (table ? table.output : []).forEach(function (clause) {
    if (clause.name) { labels[clause.name] = clause.label ? clause.label + "（" + clause.name + "）" : clause.name; }
  });
  return labels;
}

function inputField(column, value) {
  const t = texts();
  let field;
  if (column.typeRef === "boolean") {
    field = document.createElement("select");
    [["", t.blank], ["true", t.yes], ["false", t.no]].forEach(function (choice) {
      field.appendChild(new Option(choice[1], choice[0]));
    });
  } else {
    field = document.createElement("input");
    field.type = column.typeRef === "date" ? "date" : "text";
    if (NUMBER_TYPES.indexOf(column.typeRef) !== -1) { field.inputMode = "decimal"; }
  }
  field.name = "input." + column.id;
  field.value = value || "";
  field.dataset.testid = "trial-input-" + column.id;
  return field;
}

function inputRow(column, index, value) {
  const row = document.createElement("div");
  row.className = "dmn-trial-field";
  const label = document.createElement("label");
  const field = inputField(column, value);
  field.id = "dmn-trial-input-" + index;
  label.htmlFor = field.id;
  label.textContent = column.label + " ";
  const type = document.createElement("span");
  type.className = "muted";
  type.textContent = column.typeRef;
  label.appendChild(type);
  const error = document.createElement("span");
  error.className = "field-error";
  error.dataset.field = column.id;
  error.dataset.testid = "trial-error-" + column.id;
  row.append(label, field, error);
  return row;
}

function postTrial(app, form, xml) {
  const body = new FormData(form);
  body.append(app.dataset.csrfField, app.dataset.csrf);
  body.append("xml", xml);
  return fetch(app.dataset.evaluateUrl, { method: "POST", body: body, credentials: "same-origin" })
    .then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
}

function shownValue(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function matchedRule(rule, labels) {
  const t = texts();
  const item = document.createElement("li");
  item.dataset.testid = "trial-rule";
  item.dataset.rule = rule.ruleId;
  const title = document.createElement("strong");
  title.textContent = fill(t.ruleN, { row: rule.row });
  item.appendChild(title);
  if (rule.description) { item.append(" " + rule.description); }
  const outputs = document.createElement("dl");
  Object.keys(rule.outputs).forEach(function (name) {
    const term = document.createElement("dt");
    term.textContent = labels[name] || name;
    const value = document.createElement("dd");
    value.dataset.testid = "trial-output-" + name;
    value.textContent = shownValue(rule.outputs[name]);
    outputs.append(term, value);
  });
  item.appendChild(outputs);
  return item;
}

function trialPanel(app, modeler) {
  const t = texts();
  const form = document.getElementById("dmn-trial-form");
  const inputs = document.getElementById("dmn-trial-inputs");
  const result = document.getElementById("dmn-trial-result");
  let shownColumns = "";

  /* Rebuilt only when the columns change (added, renamed, retyped), keeping typed values. */
  function refresh() {
    const columns = inputColumns(decisionTable(modeler));
    const signature = JSON.stringify(columns);
    if (signature === shownColumns) { return; }
    shownColumns = signature;
    const typed = Object.fromEntries(new FormData(form));
    inputs.replaceChildren();
    if (!columns.length) { inputs.textContent = t.noInputs; }
    columns.forEach(function (column, index) {
      inputs.appendChild(inputRow(column, index, typed["input." + column.id]));
    });
  }

  function showOutcome(data) {
    const heading = document.createElement("h3");
    heading.textContent = fill(t.trialResult, { policy: data.hitPolicy });
    result.replaceChildren(heading);
    if (!data.matched.length) {
      const none = document.createElement("p");
      none.dataset.testid = "trial-no-match";
      none.textContent = t.noMatch;
      result.appendChild(none);
      return;
    }
    const list = document.createElement("ol");
    const labels = outputLabels(decisionTable(modeler));
    data.matched.forEach(function (rule) { list.appendChild(matchedRule(rule, labels)); });
    result.appendChild(list);
  }

  /* The result sits below the inputs, in a panel that scrolls: bring it into view. */
  function show(reply) {
    if (reply.status === 200) { showOutcome(reply.data); } else { showRefusal(reply.data); }
    result.scrollIntoView({ block: "nearest" });
  }

  /* Field errors beside their input; the table's own problems (field "xml") under the result. */
  function showRefusal(data) {
    const message = document.createElement("p");
    message.className = "error-box";
    message.dataset.testid = "trial-refused";
    message.textContent = data.message || t.failed;
    const problems = document.createElement("ul");
    (data.errors || []).forEach(function (error) {
      const field = error.field && inputs.querySelector(".field-error[data-field='" + CSS.escape(error.field) + "']");
      if (field) { field.textContent = error.message; return; }
      const item = document.createElement("li");
      item.textContent = (error.elementId ? "[" + error.elementId + "] " : "") + error.message;
      problems.appendChild(item);
    });
    result.replaceChildren(message, problems);
  }

  function run(event) {
    event.preventDefault();
    inputs.querySelectorAll(".field-error").forEach(function (error) { error.textContent = ""; });
    result.textContent = t.trialRunning;
    modeler.saveXML({ format: true }).then(function (saved) {
      return postTrial(app, form, saved.xml);
    }).then(show).catch(function (error) {
      result.textContent = t.failed + "：" + error.message;
    });
  }

  form.addEventListener("submit", run);
  return refresh;
}

function startEditing(app, factory, xml) {
  const modeler = factory.createDmnModeler({
    canvas: document.getElementById("modeler-canvas"), language: app.dataset.lang,
  });
  const model = dmnModel(modeler);
  const check = editor(app, model);
  const refreshTrial = trialPanel(app, modeler);
  model.onChange(refreshTrial);
  return modeler.importXML(xml).then(function () {
    return openTable(modeler, app.dataset.key);
  }).then(function () {
    refreshTrial();
    app.dataset.ready = "true";
    return check();
  });
}

function startViewing(app, factory, xml) {
  const viewer = factory.createDmnViewer({
    canvas: document.getElementById("modeler-canvas"), language: app.dataset.lang,
  });
  return viewer.importXML(xml).then(function () {
    return openTable(viewer, app.dataset.key);
  }).then(function () {
    app.dataset.ready = "true";
  });
}

export function startDmnPage(factory) {
  const app = document.getElementById("dmn-app");
  if (!app) { return; }
  const start = app.dataset.mode === "edit" ? startEditing : startViewing;
  loadTable(app, factory).then(function (xml) { return start(app, factory, xml); }).catch(function (error) {
    setStatus(texts().loadFailed + " " + error.message, "error");
  });
}
