/* TIC Flow modeler, the migration page: the mapping table as the analyst leaves it is
   posted for a dry run (which instances can move, and why the others cannot); an
   administrator then executes a batch of the movable ones, which this page drives a few
   instances per request, showing the counts after each, and finally the report. The
   batches are listed below with their reports and an undo button. Every rule (who may
   execute, whether an undo is still possible) is the server's; refusals are shown as it
   words them. */
(function () {
  "use strict";

  var app, texts, movable = [], mayExecute = false;

  function text(name, params) {
    var value = texts.getAttribute("data-" + name) || "";
    Object.keys(params || {}).forEach(function (key) {
      value = value.split("{" + key + "}").join(String(params[key]));
    });
    return value;
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function answer(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      if (!response.ok) { throw new Error(body.message || response.statusText); }
      return body;
    });
  }

  function post(url, fields) {
    var body = new FormData();
    body.append(app.dataset.csrfField, app.dataset.csrf);
    Object.keys(fields || {}).forEach(function (name) { body.append(name, fields[name]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" }).then(answer);
  }

  function get(url) {
    return fetch(url, { credentials: "same-origin" }).then(answer);
  }

  function status(message, kind) {
    var holder = document.getElementById("migration-status");
    holder.textContent = message || "";
    holder.className = kind || "";
  }

  function mapping() {
    var found = {};
    app.querySelectorAll("select[data-source]").forEach(function (select) {
      if (select.value) { found[select.getAttribute("data-source")] = select.value; }
    });
    return found;
  }

  function planFields() {
    return { from: app.dataset.source, to: app.dataset.target, mapping: JSON.stringify(mapping()) };
  }

  function executeButton() { return document.getElementById("migration-execute"); }

  /* A changed mapping needs a new dry run before it is executed. */
  function forgetDryRun() {
    movable = [];
    executeButton().disabled = true;
    document.getElementById("migration-dry-run-result").textContent = "";
    app.querySelectorAll("tr.invalid").forEach(function (row) { row.classList.remove("invalid"); });
    app.querySelectorAll("[data-failure-for]").forEach(function (node) { node.textContent = ""; });
  }

  function markInvalid(reports) {
    reports.forEach(function (report) {
      var row = app.querySelector('tr[data-source-activity="' + report.source + '"]');
      if (row) {
        row.classList.add("invalid");
        row.querySelector("[data-failure-for]").textContent = report.failures.join("；");
      }
    });
    status(text("plan-invalid"), "error");
  }

  function instanceTable(instances, withReasons) {
    var table = element("table", "data compact"), head = element("tr");
    [text("col-instance"), text("col-business-key")].concat(withReasons ? [text("col-reasons")] : [])
      .forEach(function (label) { head.appendChild(element("th", "", label)); });
    table.appendChild(element("thead")).appendChild(head);
    var body = table.appendChild(element("tbody"));
    instances.forEach(function (instance) {
      var row = body.appendChild(element("tr"));
      row.setAttribute("data-instance-id", instance.processInstanceId);
      row.appendChild(element("td")).appendChild(element("code", "", instance.processInstanceId));
      row.appendChild(element("td", "", instance.businessKey || "—"));
      if (withReasons) {
        row.appendChild(element("td", "reason", instance.reasons.map(function (r) { return r.message; }).join("；")));
      }
    });
    return table;
  }

  function showDryRun(result) {
    var holder = document.getElementById("migration-dry-run-result");
    holder.textContent = "";
    status("");
    if (result.instructionReports.length) { markInvalid(result.instructionReports); return; }
    holder.appendChild(element("h3", "", text("dry-run-title")));
    if (!result.instances.length) { holder.appendChild(element("p", "muted", text("no-instances"))); }
    var can = result.instances.filter(function (i) { return i.canMigrate; });
    var cannot = result.instances.filter(function (i) { return !i.canMigrate; });
    [[can, "movable", false], [cannot, "not-movable", true]].forEach(function (group) {
      if (!group[0].length) { return; }
      var part = holder.appendChild(element("div", "dry-run-" + group[1]));
      part.setAttribute("data-testid", group[1]);
      part.appendChild(element("h4", "", text(group[1], { count: group[0].length })));
      part.appendChild(instanceTable(group[0], group[2]));
    });
    movable = can.map(function (i) { return i.processInstanceId; });
    executeButton().disabled = !(mayExecute && movable.length);
  }

  function dryRun() {
    forgetDryRun();
    status(text("running"));
    post(app.dataset.dryRunUrl, planFields()).then(showDryRun).catch(failed);
  }

  function failed(error) { status(text("failed") + error.message, "error"); }

  function showProgress(batch) {
    var holder = document.getElementById("migration-progress");
    holder.hidden = false;
    holder.querySelector("progress").max = Math.max(batch.total, 1);
    holder.querySelector("progress").value = batch.processed;
    holder.querySelector(".progress-text").textContent = text("progress", {
      processed: batch.processed, total: batch.total, migrated: batch.migratedCount, skipped: batch.skippedCount
    });
    holder.setAttribute("data-processed", String(batch.processed));
  }

  function report(batch) {
    var holder = element("div", "batch-report");
    var moved = batch.migrated.map(function (id) { return { processInstanceId: id, reasons: [] }; });
    [[moved, "moved-list", false], [batch.skipped, "skipped-list", true]].forEach(function (part) {
      if (!part[0].length) { return; }
      part[0].forEach(function (instance) { instance.businessKey = batch.businessKeys[instance.processInstanceId]; });
      holder.appendChild(element("p", "", text(part[1])));
      holder.appendChild(instanceTable(part[0], part[2]));
    });
    return holder;
  }

  /* Drive the batch a few instances per request until every one was tried. */
  function drive(batch) {
    showProgress(batch);
    if (batch.finished) { return Promise.resolve(batch); }
    return post(app.dataset.continueUrl.replace("__ID__", encodeURIComponent(batch.batchId))).then(drive);
  }

  function finished(batch) {
    status(text("finished"), "ok");
    var holder = document.getElementById("migration-report");
    holder.textContent = "";
    holder.appendChild(report(batch));
    executeButton().disabled = true;
    loadBatches();
  }

  function execute() {
    if (!window.confirm(text("confirm", { count: movable.length, version: app.dataset.target }))) { return; }
    executeButton().disabled = true;
    document.getElementById("migration-report").textContent = "";
    status(text("executing"));
    var fields = planFields();
    fields.instances = JSON.stringify(movable);
    post(app.dataset.startUrl, fields).then(drive).then(finished).catch(failed);
  }

  function batchItem(batch) {
    var item = element("li");
    item.setAttribute("data-batch-id", batch.batchId);
    item.appendChild(element("strong", "", text("batch-head", {
      at: batch.createdAt, who: batch.createdByName, source: batch.sourceVersion, target: batch.targetVersion
    })));
    item.appendChild(element("span", "muted", " " + text("progress", {
      processed: batch.processed, total: batch.total, migrated: batch.migratedCount, skipped: batch.skippedCount
    })));
    if (batch.undoneBy) { item.appendChild(element("span", "badge", text("undone"))); }
    if (!batch.finished) { item.appendChild(element("span", "badge", text("unfinished"))); }
    item.appendChild(report(batch));
    var actions = item.appendChild(element("div", "migration-actions"));
    if (!batch.finished) {
      actions.appendChild(button(text("continue"), "continue", function () {
        drive(batch).then(finished).catch(failed);
      }));
    } else if (!batch.undoneBy && batch.migratedCount) {
      actions.appendChild(button(text("undo"), "undo", function (node) { undo(batch, node); }));
    }
    actions.appendChild(element("span", "error-text")).setAttribute("data-testid", "batch-message");
    return item;
  }

  function button(label, testid, action) {
    var node = element("button", "", label);
    node.type = "button";
    node.setAttribute("data-testid", testid);
    node.disabled = !mayExecute;
    if (!mayExecute) { node.title = text("execute-admins-only"); }
    node.addEventListener("click", function () { action(node); });
    return node;
  }

  function undo(batch, node) {
    if (!window.confirm(text("undo-confirm"))) { return; }
    var message = node.parentNode.querySelector("[data-testid=batch-message]");
    node.disabled = true;
    post(app.dataset.undoUrl.replace("__ID__", encodeURIComponent(batch.batchId)))
      .then(function (result) { status(result.message, "ok"); loadBatches(); })
      .catch(function (error) { message.textContent = error.message; node.disabled = false; });
  }

  function loadBatches() {
    var list = document.getElementById("migration-batches");
    return get(app.dataset.batchesUrl).then(function (batches) {
      list.textContent = "";
      if (!batches.length) { list.appendChild(element("li", "muted", text("no-batches"))); }
      batches.forEach(function (batch) { list.appendChild(batchItem(batch)); });
      list.setAttribute("data-loaded", "true");
    }).catch(failed);
  }

  function start() {
    app = document.getElementById("migration-app");
    texts = document.getElementById("migration-texts");
    if (!app) { return; }
    mayExecute = app.dataset.mayExecute === "true";
    app.querySelectorAll("select[data-source]").forEach(function (select) {
      select.addEventListener("change", forgetDryRun);
    });
    document.getElementById("migration-dry-run").addEventListener("click", dryRun);
    executeButton().addEventListener("click", execute);
    loadBatches();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
